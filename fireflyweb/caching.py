"""Pages shown to a signed-in person are theirs alone: no shared cache and no browser cache may
keep them (a proxy serving one person's gallery to the next, or the back button after sign-out
on a shared computer). Responses that already say how they may be cached — renditions'
``private, max-age=…, immutable`` — keep their own policy."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
