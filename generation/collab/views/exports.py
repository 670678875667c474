"""ZIP exports of a campaign or a filtered selection: start, follow, download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from generation import access
from generation.collab import exports
from generation.collab import selectors as collab_selectors
from generation.models import Export, Image
from generation.parsing import check_text, query_ids
from generation.studio import files, presenters, selectors
from generation.studio.forms import GalleryFilterForm

FILTER_MAX = 200  # the gallery's longest filter (the search box)


def _selection(request, campaign):
    """The images to export: explicit ids, else the gallery's filters (review state too)."""
    ids = query_ids(request.POST, "ids")
    if ids:
        return collab_selectors.campaign_images(campaign, ids), {"ids": ids}
    form = GalleryFilterForm(request.POST)
    filters = form.filters()
    images = selectors.gallery_images(campaign, filters)
    review = request.POST.get("review", "")
    if review in Image.ReviewState.values:
        images = images.filter(review_state=review)
    try:
        # Stored with the export (JSON) and shown in its description: PostgreSQL refuses NUL.
        described = {
            check_text(k, max_length=FILTER_MAX): check_text(v, max_length=FILTER_MAX)
            for k, v in request.POST.items()
            if k != "csrfmiddlewaretoken" and v
        }
    except ValueError as error:
        raise BadRequest(f"Malformed export filter: {error}") from error
    return images, described


@login_required
@require_POST
def export_create(request, slug):
    campaign = selectors.campaign_for_user(request.user, slug)
    images, described = _selection(request, campaign)
    if not images.exists():
        messages.error(request, "No images match, so there is nothing to export.")
        return redirect(campaign)
    try:
        export = exports.export_create(
            campaign=campaign,
            user=request.user,
            images=images,
            filters=described,
            description=", ".join(f"{k}: {v}" for k, v in described.items()) or "All images",
            access=access.for_campaign(request.user, campaign),
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect(campaign)
    return redirect("export_detail", pk=export.pk)


def _data(export: Export) -> dict:
    data = {
        "id": export.pk,
        "status": export.status,
        "status_label": export.get_status_display(),
        "progress": export.progress,
        "done": export.done,
        "total": export.total,
        "error": export.error_message,
        "is_active": export.is_active,
        "download_url": "",
    }
    if export.status == Export.Status.READY:
        token = exports.export_download_token(export)
        data["download_url"] = reverse("export_download", kwargs={"pk": export.pk, "token": token})
    return data


@login_required
@require_GET
def export_detail(request, pk):
    export = collab_selectors.export_for_user(request.user, pk)
    return render(
        request,
        "generation/collab/export_detail.html",
        {"export": export, "campaign": export.campaign, "data": _data(export)},
    )


@login_required
@require_GET
def export_status(request, pk):
    return presenters.json_response(_data(collab_selectors.export_for_user(request.user, pk)))


@login_required
@require_GET
def export_download(request, pk, token):
    export = collab_selectors.export_for_user(request.user, pk)
    if not access.for_campaign(request.user, export.campaign).can_export:
        raise PermissionDenied
    if not exports.export_check_token(export, token):
        messages.error(request, "That download link has expired; here is a fresh one.")
        return redirect("export_detail", pk=export.pk)
    if export.status != Export.Status.READY or not export.file:
        messages.error(request, "This export is not available any more.")
        return redirect("export_detail", pk=export.pk)
    exports.export_record_download(export=export, user=request.user)
    return files.serve_stored_file(
        export.file.name,
        content_type="application/zip",
        cache={"private": True, "no_store": True},
        download_name=export.download_name(),
    )
