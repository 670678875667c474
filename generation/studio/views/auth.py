"""Sign-in, for the studio and the admin alike, with a brake on password guessing.

django-axes counts failed sign-ins in the database (an atomic update per failure, the same in
every mode) for each (username, client address) pair, so a stranger cannot lock a named person
out from elsewhere and an office behind one proxy is not locked out together
(`fireflyweb.clients.client_address`). The allowance is ``LOGIN_RATE_LIMIT`` (``10/5m``: ten
failures, then five minutes without checking any password); the lockout page says when to try
again. The hooks below are named in settings (``AXES_*``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from fireflyweb.clients import client_address
from generation.studio.forms.signin import SignInForm

_UNITS = {"s": 1, "m": 60, "h": 3600}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*$")
#: With the brake off, a limit no one reaches (axes needs a number).
_UNLIMITED = 10**9


def parse_rate(text: str) -> tuple[int, int] | None:
    """``"10/5m"`` -> ``(10, 300)``; ``""`` or ``"0/…"`` -> ``None`` (no limit)."""
    match = _RATE.match(text or "")
    if not match or int(match[1]) == 0:
        return None
    return int(match[1]), int(match[2] or 1) * _UNITS[match[3]]


def _rate() -> tuple[int, int] | None:
    return parse_rate(getattr(settings, "LOGIN_RATE_LIMIT", ""))


def failure_limit(request: HttpRequest | None, credentials: dict | None = None) -> int:
    rate = _rate()
    return rate[0] if rate else _UNLIMITED


def cool_off(request: HttpRequest | None = None) -> timedelta:
    rate = _rate()
    return timedelta(seconds=rate[1] if rate else 1)


def retry_at(request: HttpRequest, username: str) -> datetime:
    """When this (username, address) may try again: the last failure plus the cool-off."""
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=client_address(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + cool_off(request)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """429 with the sign-in form (studio) or a short page (admin), saying when to try again."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    at = retry_at(request, username)
    minutes = max(1, round((at - timezone.now()).total_seconds() / 60))
    context = {"rate_limited": True, "retry_at": at, "retry_minutes": minutes}
    if request.path == reverse("login"):
        form = AuthenticationForm(request, initial={"username": username})
        context |= {"form": form, "next": request.POST.get("next", "")}
        return render(request, "registration/login.html", context, status=429)
    return render(request, "registration/locked_out.html", context, status=429)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True
    authentication_form = SignInForm
