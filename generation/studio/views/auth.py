"""Sign-in with a brake on password guessing (``LOGIN_RATE_LIMIT``, e.g. ``10/5m``).

Failed attempts are counted in the shared cache per client address and per username; past the
limit the form answers 429 without checking the password until the window has passed.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*$")


def parse_rate(text: str) -> tuple[int, int] | None:
    """``"10/5m"`` -> ``(10, 300)``; ``""`` or ``"0/…"`` -> ``None`` (no limit)."""
    match = _RATE.match(text or "")
    if not match or int(match[1]) == 0:
        return None
    return int(match[1]), int(match[2] or 1) * _UNITS[match[3]]


def _keys(request, username: str) -> list[str]:
    ip = request.META.get("REMOTE_ADDR", "")
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:ip:{ip}", f"login-fail:user:{name}"]


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        rate = parse_rate(getattr(settings, "LOGIN_RATE_LIMIT", ""))
        keys = _keys(request, request.POST.get("username", ""))
        if rate and any((cache.get(k) or 0) >= rate[0] for k in keys):
            # An unbound form: the password is not even checked while the brake is on.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username", "")}
            )
            context = self.get_context_data(form=form, rate_limited=True)
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if rate and response.status_code == 200:  # the form came back: a failed attempt
            for key in keys:
                if not cache.add(key, 1, rate[1]):
                    try:
                        cache.incr(key)
                    except ValueError:  # expired in between
                        cache.add(key, 1, rate[1])
        return response
