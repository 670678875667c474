"""An image's page, its favourite toggle and the authorised file downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from generation import access
from generation.labels import size_label
from generation.models import Rendition
from generation.pipeline import generations
from generation.studio import files, presenters, selectors
from generation.studio.feedback import redirect_back


@login_required
@require_GET
def image_detail(request, pk):
    image = selectors.image_for_user(request.user, pk)
    newer, older = selectors.image_neighbours(image)
    generation = image.generation
    preview = image.rendition(Rendition.Spec.PREVIEW)
    return render(
        request,
        "generation/image_detail.html",
        {
            "image": image,
            "generation": generation,
            "campaign": image.campaign,
            "access": access.for_campaign(request.user, image.campaign),
            "preview": preview,
            "newer": newer,
            "older": older,
            "size_label": size_label(generation.width, generation.height),
        },
    )


@login_required
@require_POST
def image_favourite(request, pk):
    image = selectors.image_for_user(request.user, pk)
    favourite = request.POST.get("favourite") == "1"
    generations.image_set_favourite(image=image, favourite=favourite)
    if request.headers.get("Accept", "").startswith("application/json"):
        return presenters.json_response({"id": image.pk, "favourite": favourite})
    messages.success(request, "Added to favourites." if favourite else "Removed from favourites.")
    return redirect_back(request, image)


@login_required
@require_GET
def image_original(request, pk, name):
    image = selectors.image_for_user(request.user, pk)
    if name != files.file_token(image.original.name):
        raise Http404("Out-of-date file name.")
    return files.serve_original(image, download=False)


@login_required
@require_GET
def image_download(request, pk):
    image = selectors.image_for_user(request.user, pk)
    return files.serve_original(image, download=True)


@login_required
@require_GET
def rendition_file(request, pk, name):
    rendition = selectors.rendition_for_user(request.user, pk)
    if name != files.file_token(rendition.file.name):
        raise Http404("Out-of-date file name.")
    return files.serve_rendition(rendition)
