"""Template helpers for review, comments, share links and exports.

Tags that depend on who is looking read the person's `CampaignAccess` from the context
(``access``, built by the view); none of them queries for it.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from generation.collab import comments as comment_rules
from generation.collab import review, selectors
from generation.models import Image
from generation.studio import presenters
from generation.studio import selectors as studio_selectors
from generation.templatetags.studio import display_name, initials

register = template.Library()

REVIEW_LABELS = dict(Image.ReviewState.choices)


@register.simple_tag
def review_pill(state: str) -> str:
    return format_html(
        '<span class="pill review-pill review-{}" data-review-pill>{}</span>',
        state,
        REVIEW_LABELS.get(state, state),
    )


@register.filter
def review_label(state: str) -> str:
    return REVIEW_LABELS.get(state, state)


@register.inclusion_tag("generation/collab/review_tabs.html", takes_context=True)
def review_tabs(context, campaign, current="", counts=None):
    """The gallery's review-state filter with counts (links keep the other filters)."""
    request = context["request"]
    found = counts if counts is not None else studio_selectors.review_counts(campaign)
    counts = [
        {"value": value, "label": label, "count": found.get(value, 0)}
        for value, label in Image.ReviewState.choices
    ]
    params = request.GET.copy()
    for key in ("review", "before", "after"):
        params.pop(key, None)
    tabs = []
    total = sum(c["count"] for c in counts)
    base = params.urlencode()
    tabs.append({"value": "", "label": "All", "count": total, "query": base})
    for entry in counts:
        query = params.copy()
        query["review"] = entry["value"]
        tabs.append({**entry, "query": query.urlencode()})
    return {
        "tabs": tabs,
        "current": current,
        "campaign": campaign,
        "can_review": _access(context, campaign).can_review,
        "in_review": next(c["count"] for c in counts if c["value"] == "in_review"),
    }


def _access(context, campaign):
    """The viewer's access to `campaign`, as the view put it in the context."""
    access = context["access"]
    if access.campaign.pk != campaign.pk:
        raise ValueError(
            f"The page's access is to campaign {access.campaign.pk}, not {campaign.pk}."
        )
    return access


@register.inclusion_tag("generation/collab/review_panel.html", takes_context=True)
def review_panel(context, image):
    """The image page's review card: state, actions, comments."""
    request = context["request"]
    campaign = image.campaign
    access = _access(context, campaign)
    people = selectors.people_by_name(campaign)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "access": access,
        "image": image,
        "campaign": campaign,
        "comments": selectors.image_comments(image),
        "can_review": access.can_review,
        "can_request": image.review_state in ("draft", "changes_requested", "rejected"),
        "people": people,
        "mention_people": [
            {"username": p.get_username(), "name": display_name(p), "initials": initials(p)}
            for p in people
        ],
        "comment_draft": _comment_draft(request, image),
    }


@register.inclusion_tag("generation/collab/decision_form.html", takes_context=True)
def decision_form(context, image, next_url, keys=False, rows=3):
    """An approver's decision form for `image` (approve, changes, reject; `keys` shows the
    review queue's keyboard hints), or why this approver may not decide it."""
    request = context["request"]
    return {
        "csrf_token": context.get("csrf_token"),
        "image": image,
        "refusal": _access(context, image.campaign).review_refusal(image),
        "next_url": next_url,
        "back_url": request.get_full_path(),
        "keys": keys,
        "rows": rows,
        "comment_required": review.COMMENT_REQUIRED,
        "comment_max": comment_rules.COMMENT_MAX,
    }


def _comment_draft(request, image) -> dict | None:
    """The comment just refused on this image (what was written, and why), shown once."""
    draft = request.session.get(comment_rules.COMMENT_DRAFT_KEY)
    if not draft or draft.get("image") != image.pk:
        return None
    del request.session[comment_rules.COMMENT_DRAFT_KEY]
    return draft


@register.filter
def with_mentions(comment):
    """The comment body, escaped, with @mentions of members highlighted."""
    names = {u.get_username().lower() for u in comment.mentions.all()}
    body = str(comment.body)
    out = []
    last = 0
    for match in comment_rules.MENTION.finditer(body):
        if match.group(1).lower() not in names:
            continue
        out.append(format_html("{}", body[last : match.start()]))
        out.append(format_html('<span class="mention">@{}</span>', match.group(1)))
        last = match.end()
    out.append(format_html("{}", body[last:]))
    return format_html("{}" * len(out), *out)


@register.simple_tag
def share_srcset(token: str, image) -> str:
    """A shared tile's ``srcset``, its renditions served through the share link."""
    return presenters.tile_srcset(
        image, url=lambda r: reverse("share_rendition", args=[token, image.pk, r.spec])
    )
