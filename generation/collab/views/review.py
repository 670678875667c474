"""Review and approval: request review, decide, the approvers' queue, side-by-side comparison,
comments with @mentions, deleting (unapproved) images, and the campaign's members page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from generation import access
from generation.collab import comments, review
from generation.collab import members as membership
from generation.collab import selectors as collab_selectors
from generation.labels import image_name, size_label
from generation.models import CampaignMembership
from generation.parsing import CONTROL, form_text, query_ids
from generation.studio import selectors
from generation.studio.feedback import error_text, redirect_back, site_origin

COMPARE_MAX = 6
USERNAME_MAX = 150  # Django's User.username


@login_required
@require_POST
def image_review_request(request, pk):
    image = selectors.image_for_user(request.user, pk)
    try:
        review.review_request(
            image=image,
            user=request.user,
            note=form_text(request.POST, "note"),
            origin=site_origin(request),
            access=access.for_campaign(request.user, image.campaign),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Sent for review. The campaign's approvers have been notified.")
    return redirect_back(request, image)


@login_required
@require_POST
def image_review_decide(request, pk):
    image = selectors.image_for_user(request.user, pk)
    rights = access.for_campaign(request.user, image.campaign)
    decision = request.POST.get("decision", "")
    try:
        review.review_decide(
            image=image,
            user=request.user,
            decision=decision,
            comment=form_text(request.POST, "comment"),
            origin=site_origin(request),
            access=rights,
        )
    except PermissionDenied as error:
        if not rights.can_review:
            raise  # not one of the campaign's approvers: 403
        messages.error(request, str(error))  # an approver, but not for this image (campaign rule)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        _state, _action, verb = review.DECISIONS[decision]
        messages.success(request, f"You {verb} {image_name(image)}.")
        return redirect_back(request, image)
    # Nothing was decided: stay on this image (the queue's `next` is the following one).
    return redirect_back(request, image, field="back")


@login_required
@require_POST
def image_comment(request, pk):
    """Add a comment. When it is refused, what was written comes back in the box with the
    reason beside it (and, for @names that aren't members, a "Post anyway" button)."""
    image = selectors.image_for_user(request.user, pk)
    body = request.POST.get("body", "")
    try:
        comments.comment_add(
            image=image,
            user=request.user,
            body=form_text(request.POST, "body"),
            allow_unknown_mentions=request.POST.get("unknown_mentions") == "post",
            origin=site_origin(request),
            access=access.for_campaign(request.user, image.campaign),
        )
    except ValidationError as error:
        request.session[comments.COMMENT_DRAFT_KEY] = {
            "image": image.pk,
            "body": body[: comments.COMMENT_MAX],
            "error": error_text(error),
            "unknown_mentions": getattr(error, "code", None) == "unknown_mention",
        }
    else:
        messages.success(request, "Comment added.")
    return redirect_back(request, reverse("image_detail", kwargs={"pk": image.pk}) + "#comments")


@login_required
@require_POST
def image_delete(request, pk):
    image = selectors.image_for_user(request.user, pk)
    campaign = image.campaign
    try:
        review.image_delete(
            image=image, user=request.user, access=access.for_campaign(request.user, campaign)
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(image)
    messages.success(request, f"{image_name(image)} was deleted.")
    return redirect(campaign)


@login_required
@require_GET
def review_queue(request, slug):
    """Images waiting for a decision, oldest request first; one shown large with the decision
    form (keyboard: a approve, c changes, r reject, j/n next, k previous)."""
    campaign = selectors.campaign_for_user(request.user, slug)
    queue = collab_selectors.review_queue(campaign)
    wanted = request.GET.get("image", "")
    current = next((i for i in queue if str(i.pk) == wanted), queue[0] if queue else None)
    position = queue.index(current) if current else 0
    previous = queue[position - 1] if current and position > 0 else None
    following = queue[position + 1] if current and position + 1 < len(queue) else None
    base = reverse("review_queue", kwargs={"slug": campaign.slug})
    rights = access.for_campaign(request.user, campaign)
    return render(
        request,
        "generation/collab/review_queue.html",
        {
            "campaign": campaign,
            "access": rights,
            "queue": queue,
            "current": current,
            "image": current,
            "generation": current.generation if current else None,
            "size_label": size_label(current.generation.width, current.generation.height)
            if current
            else "",
            "previous": previous,
            "following": following,
            "position": position + 1,
            "comments": collab_selectors.image_comments(current) if current else [],
            "can_review": rights.can_review,
            "next_url": f"{base}?image={following.pk}" if following else base,
            "queue_url": base,
        },
    )


@login_required
@require_GET
def compare(request, slug):
    """Two or more images of a campaign side by side (?ids=1&ids=2, or ?ids=1,2)."""
    campaign = selectors.campaign_for_user(request.user, slug)
    ids = query_ids(request.GET, "ids", limit=COMPARE_MAX)
    images = collab_selectors.compared_images(campaign, ids)
    if len(images) < 2:
        messages.info(request, "Pick at least two images to compare.")
        return redirect("review_queue", slug=campaign.slug)
    rights = access.for_campaign(request.user, campaign)
    return render(
        request,
        "generation/collab/compare.html",
        {
            "campaign": campaign,
            "access": rights,
            "images": images,
            "can_review": rights.can_review,
            "columns": min(len(images), 3),
            "here": request.get_full_path(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request, slug):
    """Owners (and staff) add people, set roles (owner, approver, member) and remove them."""
    campaign = selectors.campaign_for_user(request.user, slug)
    rights = access.for_campaign(request.user, campaign)
    if not rights.can_manage:
        raise PermissionDenied("Only the campaign's owners can manage its members.")
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        # A name with a NUL (PostgreSQL refuses it in a query) or over the field's length
        # names no account.
        known = not CONTROL.search(username) and len(username) <= USERNAME_MAX
        member = collab_selectors.account_named(username) if known else None
        action = request.POST.get("action", "set")
        if member is None:
            messages.error(request, f"There is no account named “{username[:USERNAME_MAX]}”.")
        else:
            try:
                if action == "remove":
                    membership.membership_remove(
                        campaign=campaign, user=request.user, member=member, access=rights
                    )
                    messages.success(request, f"{member.get_username()} was removed.")
                else:
                    role = request.POST.get("role", CampaignMembership.Role.MEMBER)
                    membership.membership_set_role(
                        campaign=campaign,
                        user=request.user,
                        member=member,
                        role=role,
                        access=rights,
                    )
                    label = CampaignMembership.Role(role).label
                    messages.success(request, f"{member.get_username()}’s role is now {label}.")
            except ValidationError as error:
                messages.error(request, error_text(error))
        return redirect("campaign_members", slug=campaign.slug)
    return render(
        request,
        "generation/collab/members.html",
        {
            "campaign": campaign,
            "access": rights,
            "members": selectors.campaign_members(campaign),
            "roles": CampaignMembership.Role.choices,
        },
    )
