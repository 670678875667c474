"""Campaign list, create/edit, the campaign gallery and its live-update endpoint, and the list
of the campaign's generations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from generation import access, labels
from generation.models import Generation
from generation.parsing import query_ids, query_int
from generation.pipeline import fairness
from generation.studio import pages, presenters, selectors
from generation.studio.campaigns import campaign_save
from generation.studio.forms import CampaignForm, GalleryFilterForm


def _cursor(request) -> tuple[int | None, int | None]:
    """``?before=`` / ``?after=``: a malformed cursor is ignored (the first page), not a 400."""
    return (
        query_int(request, "before", strict=False),
        query_int(request, "after", strict=False),
    )


@login_required
@require_GET
def campaign_list(request):
    show_archived = request.GET.get("archived") == "1"
    campaigns = selectors.campaign_list(request.user, archived=show_archived)
    return render(
        request,
        "generation/campaign_list.html",
        {"campaigns": campaigns, "show_archived": show_archived},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = campaign_save(form, user=request.user)
        messages.success(request, f"“{campaign.name}” is ready. Start with a first generation.")
        return redirect("generation_new", slug=campaign.slug)
    return render(request, "generation/campaign_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug):
    campaign = selectors.campaign_for_user(request.user, slug)
    rights = access.for_campaign(request.user, campaign)
    if not rights.can_edit:
        raise PermissionDenied
    if request.method == "POST" and not rights.can_manage:
        # Members see the settings; renaming, archiving and the defaults are the owners'.
        raise PermissionDenied
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign_save(form, user=request.user)
        messages.success(request, "Campaign settings saved.")
        return redirect(campaign)
    return render(
        request,
        "generation/campaign_form.html",
        {
            "form": form,
            "creating": False,
            "campaign": campaign,
            "access": rights,
            "members": selectors.campaign_members(campaign),
        },
    )


@login_required
@require_GET
def campaign_gallery(request, slug):
    campaign = selectors.campaign_for_user(request.user, slug)
    filter_form = GalleryFilterForm(request.GET)
    filters = filter_form.filters()
    before, after = (
        query_int(request, "before", strict=False),
        query_int(request, "after", strict=False),
    )
    page = pages.gallery_page(campaign, filters, before=before, after=after)
    active = list(pages.active_generations(campaign, filters)) if page.is_first else []
    ended = pages.ended_generations(campaign, filters, page)
    more_ended = len(ended) > pages.ENDED_TILES_PER_PAGE
    ended = ended[: pages.ENDED_TILES_PER_PAGE]
    options = selectors.gallery_filter_options(campaign)
    since = page.images[0].pk if page.images else 0
    members = list(selectors.campaign_members(campaign))
    review_counts = selectors.review_counts(campaign)  # also the image count: one query
    return render(
        request,
        "generation/gallery.html",
        {
            "campaign": campaign,
            "page": page,
            "filters": filters,
            "filter_form": filter_form,
            "options": options,
            "model_groups": filter_form.model_groups(options, filters),
            "active_generations": active,
            "tiles": pages.gallery_tiles(page.images, ended),
            "has_ended": bool(ended),
            "more_ended": more_ended,
            "since": since,
            "statuses": Generation.Status.choices,
            # From the members already loaded: no query.
            "access": access.for_campaign(request.user, campaign, memberships=members),
            "members": members,
            "review_counts": review_counts,
            "image_count": sum(review_counts.values()),
            # Not `request.GET.items` in the template: that is the parameter `?items=`.
            "kept_query": [(k, v) for k, v in request.GET.items() if k not in ("before", "after")],
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def campaign_generations(request, slug):
    """Every generation of the campaign with its state, message, requester and time, filtered
    by state: where a failed or cancelled one (which has no images) can always be found."""
    campaign = selectors.campaign_for_user(request.user, slug)
    status = request.GET.get("status", "")
    if status not in (pages.ACTIVE_FILTER, *Generation.Status.values):
        status = ""
    page = pages.generation_list_page(
        campaign,
        status,
        before=query_int(request, "before", strict=False),
        after=query_int(request, "after", strict=False),
    )
    counts = selectors.generation_status_counts(campaign)
    tabs = [
        ("", "All", sum(counts.values())),
        (
            pages.ACTIVE_FILTER,
            "In progress",
            sum(counts[s] for s in Generation.ACTIVE_STATUSES),
        ),
        *(
            (s, labels.status_label(s), counts[s])
            for s in (Generation.Status.SUCCEEDED, *pages.ENDED_STATUSES)
        ),
    ]
    return render(
        request,
        "generation/generation_list.html",
        {"campaign": campaign, "page": page, "status": status, "tabs": tabs},
    )


@login_required
@require_GET
def campaign_live(request, slug):
    """What changed in the gallery: new images, the status of running generations and the
    campaign's image counts (per review state).

    ``since`` is the newest image id the page has; ``watch`` lists generation ids the page
    shows as placeholders (so it learns when they finish or fail). Filters are the gallery's.
    """
    campaign = selectors.campaign_for_user(request.user, slug)
    filters = GalleryFilterForm(request.GET).filters()
    since = query_int(request, "since", strict=False)
    if since is None:
        raise Http404("since is required")
    watched = query_ids(request.GET, "watch", limit=48, strict=False)
    active = {g.pk: g for g in pages.active_generations(campaign, filters)}
    for generation in pages.recent_generations(campaign, [i for i in watched if i not in active]):
        active.setdefault(generation.pk, generation)
    # Queued generations show their place in the submission queue (one query when any wait).
    fairness.annotate_places(list(active.values()))
    images = pages.images_since(campaign, filters, since)
    # The whole campaign's counts, so the header and the review tabs never go stale.
    review_counts = selectors.review_counts(campaign)
    return presenters.json_response(
        {
            "image_count": sum(review_counts.values()),
            "review_counts": review_counts,
            "images": [presenters.tile_data(image) for image in reversed(images)],
            "generations": [
                presenters.generation_data(g) for g in sorted(active.values(), key=lambda g: g.pk)
            ],
        }
    )
