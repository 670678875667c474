"""Errors go to Sentry only when SENTRY_DSN is set, and never carry a secret."""

import os
import subprocess
import sys

from fireflyweb.observability import scrub_event
from tests.foundation.support import ROOT

SECRET = "p8e-firefly-client-secret-value"
_ACTIVE = (
    "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"
)


def sentry_active(**variables) -> bool:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(variables, DJANGO_SETTINGS_MODULE="fireflyweb.settings")
    result = subprocess.run(
        [sys.executable, "-c", _ACTIVE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


def test_sentry_is_off_without_a_dsn_and_on_with_one():
    assert not sentry_active()
    assert sentry_active(SENTRY_DSN="https://public@sentry.invalid/1")


def test_a_report_is_scrubbed_of_secrets_wherever_they_hide():
    event = {
        "message": f"token refused for secret {SECRET}",
        "exception": {
            "values": [
                {
                    "value": f"Authorization: Bearer abc.def.ghi {SECRET}",
                    "stacktrace": {"frames": [{"vars": {"client_secret": SECRET, "n": 3}}]},
                }
            ]
        },
    }
    scrubbed = scrub_event(event, None, secrets=(SECRET,))
    assert SECRET not in repr(scrubbed)
    assert "abc.def.ghi" not in repr(scrubbed)
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["n"] == 3
