"""The new-generation form, a generation's page, its JSON status, cancel and retry."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from generation.labels import image_count, size_label
from generation.models import Image
from generation.parsing import CONTROL, query_int
from generation.pipeline import generations
from generation.studio import presenters, selectors
from generation.studio.feedback import error_text, redirect_back
from generation.studio.forms import (
    GenerationForm,
    fresh_seed,
    initial_from_campaign,
    initial_from_generation,
)

TOKENS_SESSION_KEY = "generation_form_tokens"
TOKENS_KEPT = 50


# --- One generation per submitted form ----------------------------------------------------------
#
# Each rendering of the form carries a fresh random token, remembered in the session. The
# generation is stored with its token under a unique constraint (person, token), so of any number
# of POSTs of one form (a double click, a resubmitted page, ten tabs at once) exactly one creates
# a generation, in every mode; the others are sent to it. The submit button is also disabled by
# JavaScript.


def _issue_token(request) -> str:
    token = secrets.token_urlsafe(18)
    tokens = request.session.get(TOKENS_SESSION_KEY, [])[-(TOKENS_KEPT - 1) :]
    request.session[TOKENS_SESSION_KEY] = [*tokens, token]
    return token


def _generation_of_token(request, token: str) -> int | None:
    """The generation an earlier POST of this form started, if any."""
    if not token:
        return None
    return selectors.generation_id_for_form(request.user, token)


def _forget_token(request, token: str) -> None:
    tokens = request.session.get(TOKENS_SESSION_KEY, [])
    if token in tokens:
        request.session[TOKENS_SESSION_KEY] = [t for t in tokens if t != token]


def _already_submitted(request, generation_id: int):
    messages.info(request, "That form was already submitted: here is the generation it started.")
    return redirect("generation_detail", pk=generation_id)


def _prefill(request, campaign) -> dict:
    """Initial values: the campaign's defaults, or an earlier generation's settings (?from=),
    with one of its seeds (&seed=, to start from that image) or a new seed in place of one
    (&vary=, the same settings for a different image)."""
    source = query_int(request, "from")
    if source is None:
        return initial_from_campaign(campaign)
    try:
        generation = selectors.generation_for_user(request.user, source)
    except Http404:  # an id the user can't see prefills nothing
        messages.warning(request, "That generation isn't available, so nothing was copied.")
        return initial_from_campaign(campaign)
    seed, vary = query_int(request, "seed"), query_int(request, "vary")
    if vary is not None:
        used = {vary, *generation.seeds}
        used.update(generation.images.exclude(seed=None).values_list("seed", flat=True))
        initial = initial_from_generation(generation, fresh_seed(avoid=used))
    else:
        initial = initial_from_generation(generation, seed)
    model = generation.custom_model
    if model is not None and not model.is_usable():
        messages.warning(
            request,
            f"“{model.display_name}” is no longer available; pick another model.",
        )
        initial["model"] = initial_from_campaign(campaign)["model"]
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def generation_new(request, slug):
    campaign = selectors.campaign_for_user(request.user, slug)
    if request.method == "POST":
        form = GenerationForm(request.POST, campaign=campaign)
        token = request.POST.get("form_token", "")[:64]
        if CONTROL.search(token):
            token = ""  # never one we issued (and PostgreSQL refuses NUL in a query)
        earlier = _generation_of_token(request, token)
        if earlier is not None:
            return _already_submitted(request, earlier)
        if form.is_valid():
            if token not in request.session.get(TOKENS_SESSION_KEY, []):
                form.add_error(
                    None,
                    "This form had expired, so nothing was generated. Check the settings and "
                    "submit again.",
                )
            else:
                try:
                    generation = generations.generation_create(
                        campaign=campaign,
                        user=request.user,
                        params=form.params(),
                        form_token=token,
                    )
                except generations.AlreadySubmittedError as duplicate:
                    return _already_submitted(request, duplicate.generation.pk)
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    _forget_token(request, token)
                    messages.success(
                        request,
                        f"Generating {image_count(generation.num_variations)}. "
                        "They'll appear here as soon as they're ready.",
                        # The gallery removes this message once the generation has ended.
                        extra_tags=f"generation-{generation.pk}",
                    )
                    return redirect(campaign)
        # Invalid: show the errors with a fresh token (the old one may have expired).
        data = request.POST.copy()
        data["form_token"] = _issue_token(request)
        form.data = data
    else:
        initial = _prefill(request, campaign)
        initial["form_token"] = _issue_token(request)
        form = GenerationForm(initial=initial, campaign=campaign)
    copied_from, vary = query_int(request, "from"), query_int(request, "vary")
    return render(
        request,
        "generation/generation_form.html",
        {
            "campaign": campaign,
            "form": form,
            "copied_from": "" if copied_from is None else copied_from,
            "varied_seed": "" if vary is None else vary,
        },
    )


def _images_with_renditions(generation):
    return list(
        Image.objects.filter(generation=generation)
        .select_related("generation", "generation__custom_model")
        .with_renditions()
        .order_by("index")
    )


@login_required
@require_GET
def generation_detail(request, pk):
    generation = selectors.generation_for_user(request.user, pk)
    images = _images_with_renditions(generation)
    return render(
        request,
        "generation/generation_detail.html",
        {
            "generation": generation,
            "campaign": generation.campaign,
            "images": images,
            "retries": list(generation.retries.order_by("-id")[:5]),
            "size_label": size_label(generation.width, generation.height),
            "pending_slots": range(max(0, generation.num_variations - len(images)))
            if generation.is_active
            else range(0),
        },
    )


@login_required
@require_GET
def generation_status(request, pk):
    generation = selectors.generation_for_user(request.user, pk)
    return presenters.json_response(
        presenters.generation_data(generation, _images_with_renditions(generation))
    )


@login_required
@require_POST
def generation_cancel(request, pk):
    generation = selectors.generation_for_user(request.user, pk)
    try:
        generations.generation_cancel(generation=generation, user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Generation {generation.pk} is being cancelled.")
    return redirect_back(request, generation)


@login_required
@require_POST
def generation_retry(request, pk):
    generation = selectors.generation_for_user(request.user, pk)
    try:
        retry = generations.generation_retry(generation=generation, user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(generation)
    messages.success(request, "Trying again with the same settings.")
    return redirect(retry)
