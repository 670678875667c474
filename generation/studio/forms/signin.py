"""The sign-in forms (studio and admin), refusing a malformed username before any password check.

Django's `AuthenticationForm` sets the username's `max_length` on the widget but never checks it,
so a 100,000-character username reached `authenticate()`, and django-axes then recorded the
failure in a 255-character column (a 500 on PostgreSQL). A username with a NUL or another control
character, or longer than any account's, is refused as a field error and checks no password.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from generation.parsing import check_text

USERNAME_MAX = 150  # Django's User.username


def _checked_username(value: str) -> str:
    try:
        return check_text(value, max_length=USERNAME_MAX)
    except ValueError as error:
        raise ValidationError(f"This username {error}.", code="invalid") from error


class SignInForm(AuthenticationForm):
    def clean_username(self):
        return _checked_username(self.cleaned_data.get("username", ""))


class AdminSignInForm(AdminAuthenticationForm):
    def clean_username(self):
        return _checked_username(self.cleaned_data.get("username", ""))
