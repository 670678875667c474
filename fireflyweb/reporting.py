"""What the debug page (DJANGO_DEBUG=1) and error e-mails may show of the settings.

Django's own filter hides settings whose *name* looks secret (API, TOKEN, KEY, SECRET, PASS,
SIGNATURE), but the studio's connection settings are URLs with the password inside them
(`DATABASE_URL=postgres://user:password@host/db`, `CELERY_BROKER_URL`, `CACHE_URL`, a cache's
`LOCATION`), and the development server copies the environment into `request.META`. So settings
and META entries named like a URL or DSN are hidden too, and a password inside any URL-looking
value (a setting, a META entry, a string in a traceback frame) is masked.
"""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter

#: ``scheme://user:password@`` – the password part is what is masked.
URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s]*)@", re.I)


def mask_url_passwords(text: str, substitute: str = "********") -> str:
    """`text` with the password of every ``scheme://user:password@host`` replaced."""
    return URL_PASSWORD.sub(lambda m: f"{m['head']}{substitute}@", text)


class ConnectionSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|URL|DSN|LOCATION|BROKER|DATABASE", flags=re.I
    )

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return mask_url_passwords(cleansed, self.cleansed_substitute)
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, mask_url_passwords(value, self.cleansed_substitute))
            if isinstance(value, str)
            else (name, value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
