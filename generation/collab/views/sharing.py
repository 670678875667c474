"""Share links: the owners' page (create, list, revoke) and what a viewer sees without signing
in. Every file a viewer gets goes through `share_media`, which checks the link (not a login)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fireflyweb.clients import client_address
from generation import access
from generation.collab import selectors as collab_selectors
from generation.collab import sharing
from generation.models import Image, ShareLink
from generation.parsing import form_text, parse_date, query_ids
from generation.studio import files, selectors

NEW_TOKEN_KEY = "share_new_token"  # noqa: S105 (a session key)
DEFAULT_DAYS = 14


@login_required
@require_http_methods(["GET", "POST"])
def share_manage(request, slug):
    campaign = selectors.campaign_for_user(request.user, slug)
    rights = access.for_campaign(request.user, campaign)
    if not rights.can_manage:
        raise PermissionDenied("Only the campaign's owners can share it.")
    errors: dict = {}
    if request.POST.getlist("images"):
        selected = query_ids(request.POST, "images")
    else:
        selected = query_ids(request.GET, "ids")
    if request.method == "POST":
        try:
            day = parse_date(request.POST.get("expires_on", ""))
        except ValueError:
            errors = {"expires_at": ["Pick an expiry date."]}
        else:
            expires_at = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
            try:
                created = sharing.share_link_create(
                    campaign=campaign,
                    user=request.user,
                    expires_at=expires_at,
                    label=form_text(request.POST, "label"),
                    scope=request.POST.get("scope", ShareLink.Scope.APPROVED),
                    allow_download=request.POST.get("allow_download") == "1",
                    password=request.POST.get("password", ""),
                    image_ids=selected,
                    access=rights,
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                request.session[NEW_TOKEN_KEY] = {"id": created.link.pk, "token": created.token}
                messages.success(request, "Share link created. Copy it now: it is shown once.")
                return redirect("share_manage", slug=campaign.slug)
    new = request.session.pop(NEW_TOKEN_KEY, None)
    new_url = (
        request.build_absolute_uri(reverse("share_view", kwargs={"token": new["token"]}))
        if new
        else ""
    )
    links = collab_selectors.share_links(campaign)
    return render(
        request,
        "generation/collab/share_manage.html",
        {
            "campaign": campaign,
            "access": rights,
            "links": links,
            "new_id": new["id"] if new else None,
            "new_url": new_url,
            "errors": errors,
            "selected": selected,
            "scopes": ShareLink.Scope.choices,
            "default_expiry": (timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS)).isoformat(),
            "min_expiry": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "form": request.POST if request.method == "POST" else {},
        },
    )


@login_required
@require_POST
def share_revoke(request, slug, pk):
    campaign = selectors.campaign_for_user(request.user, slug)
    rights = access.for_campaign(request.user, campaign)
    if not rights.can_manage:
        raise PermissionDenied("Only the campaign's owners can revoke links.")
    link = collab_selectors.share_link_in(campaign, pk)
    sharing.share_link_revoke(link=link, user=request.user, access=rights)
    messages.success(request, f"“{link}” was revoked: it stops working at once.")
    return redirect("share_manage", slug=campaign.slug)


# --- What the viewer sees (no login) ----------------------------------------------------------


def _gone(request, link: ShareLink | None):
    """A friendly 410 for revoked or expired links (404 for unknown tokens)."""
    if link is None:
        raise Http404("No such link.")
    reason = "revoked" if link.is_revoked else "expired"
    response = render(
        request,
        "generation/collab/share_gone.html",
        {"reason": reason, "link": link},
        status=410,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _usable_link(request, token):
    link = sharing.share_link_lookup(token)
    if link is None or not link.is_active:
        return link, False
    return link, True


# A share page's address holds its token, so no request the page makes may send that address
# as its Referer. The gallery sends no Referer at all. The password page has a form, and with
# "no-referrer" Chromium posts it with `Origin: null`, which Django's CSRF check refuses: there
# "strict-origin" sends the site's origin only (never the path), which the check accepts.
GALLERY_REFERRER_POLICY = "no-referrer"
FORM_REFERRER_POLICY = "strict-origin"


def _no_store(response, referrer_policy=GALLERY_REFERRER_POLICY):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = referrer_policy
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def share_view(request, token):
    link, usable = _usable_link(request, token)
    if not usable:
        return _gone(request, link)
    if not sharing.share_link_unlocked(request.session, link):
        attempt = None
        if request.method == "POST":
            attempt = sharing.share_link_unlock(
                request.session,
                link,
                request.POST.get("password", ""),
                address=client_address(request),
            )
            if attempt:
                return redirect("share_view", token=token)
        status = 200 if attempt is None else 429 if attempt.retry_at else 403
        response = render(
            request,
            "generation/collab/share_password.html",
            {
                "link": link,
                "wrong": attempt is not None and attempt.retry_at is None,
                "retry_at": attempt.retry_at if attempt is not None else None,
                "token": token,
            },
            status=status,
        )
        return _no_store(response, FORM_REFERRER_POLICY)
    if request.method == "POST":
        return redirect("share_view", token=token)
    sharing.share_link_record_view(request.session, link, address=client_address(request))
    images = collab_selectors.shared_gallery(sharing.share_link_images(link))
    response = render(
        request,
        "generation/collab/share_gallery.html",
        {"link": link, "campaign": link.campaign, "images": images, "token": token},
    )
    return _no_store(response)


def _shared_image(request, token, pk) -> tuple[ShareLink, Image]:
    link, usable = _usable_link(request, token)
    if not usable or not sharing.share_link_unlocked(request.session, link):
        raise Http404("No such image.")
    image = sharing.share_link_images(link).filter(pk=pk).first()
    if image is None:
        raise Http404("No such image.")
    return link, image


@require_GET
def share_rendition(request, token, pk, spec):
    _link, image = _shared_image(request, token, pk)
    rendition = collab_selectors.shared_rendition(image, spec)
    if rendition is None:
        raise Http404("No such rendition.")
    response = files.serve_stored_file(
        rendition.file.name, content_type="image/jpeg", cache={"private": True, "max_age": 300}
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def share_download(request, token, pk):
    link, image = _shared_image(request, token, pk)
    if not link.allow_download:
        raise PermissionDenied("Downloads are turned off for this link.")
    return files.serve_stored_file(
        image.original.name,
        content_type=image.content_type,
        cache={"private": True, "no_store": True},
        download_name=image.download_name(),
    )
