"""A Content-Security-Policy header for every response.

Django 5.2 has no built-in CSP; the policy is fixed and strict (no inline script or style), so a
few lines serve better than a dependency.
"""

from django.conf import settings

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:"
        + (" https:" if getattr(settings, "AWS_STORAGE_BUCKET_NAME", "") else ""),
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The admin ships inline scripts of its own; it is staff-only and keeps Django's defaults.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
