"""The address of the person at the other end of a request, behind the proxies we trust.

Behind a load balancer every request's ``REMOTE_ADDR`` is the balancer's: counting sign-in
failures by it locks everybody out together. The operator names the header the proxies write
(``TRUSTED_PROXY_HEADER``, e.g. ``X-Forwarded-For``) and how many of them append to it
(``TRUSTED_PROXY_COUNT``). Each proxy appends the address it received the request from, so the
client is the entry that many places from the right; whatever sits further left was written by
the client itself and proves nothing. Without a configured header it is ignored entirely.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def meta_key(header: str) -> str:
    """``X-Forwarded-For`` -> ``HTTP_X_FORWARDED_FOR`` (how Django's ``request.META`` names it)."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if not header:
        return remote
    count = max(1, getattr(settings, "TRUSTED_PROXY_COUNT", 1))
    entries = [e.strip() for e in request.META.get(meta_key(header), "").split(",") if e.strip()]
    if len(entries) < count:
        return remote  # not through all our proxies: only the socket's address is known
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
