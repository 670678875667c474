"""What a POST-and-redirect view does after acting: go back where the user was, say what failed,
and where the site is for the emails it causes."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from generation.parsing import CONTROL

NEXT_MAX = 2000  # longer than any page of the studio's address


def redirect_back(request, fallback, field="next"):
    """Redirect to the form's `next` (or another `field`) when it is on this site (never an open
    redirect)."""
    target = request.POST.get(field, "")
    if (
        target
        and len(target) <= NEXT_MAX
        and not CONTROL.search(target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        # Not `redirect(target)`: that reads a bare word ("²") as a view name and fails.
        return HttpResponseRedirect(target)
    return redirect(fallback)


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages) or "That didn't work."


def site_origin(request: HttpRequest) -> str:
    """The studio's address as this person reached it ("https://studio.example.com"): links in
    the emails their action causes point there (see `review.email_link`)."""
    return request.build_absolute_uri("/").rstrip("/")
