"""System checks for misconfiguration a person would otherwise find the hard way."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from fireflyweb.env import env_str


@register(Tags.security, deploy=False)
def check_firefly_configuration(app_configs, **kwargs):
    errors = []
    # Read as the settings read them (a blank value is unset; the secret may come from a file).
    has_id = bool(env_str("FIREFLY_CLIENT_ID"))
    has_secret = bool(env_str("FIREFLY_CLIENT_SECRET"))
    if has_id != has_secret:
        errors.append(
            Error(
                "Firefly credentials are half set.",
                hint="Set both FIREFLY_CLIENT_ID and FIREFLY_CLIENT_SECRET for Adobe's API, "
                "or neither to use the local emulator.",
                id="generation.E002",
            )
        )
    if not settings.DEBUG and settings.FIREFLY_ENDPOINT == "emulator":
        errors.append(
            Error(
                "Production mode (DJANGO_DEBUG=0) is pointed at the local Firefly emulator.",
                hint="Set FIREFLY_CLIENT_ID and FIREFLY_CLIENT_SECRET (and leave FIREFLY_API_BASE "
                "unset), or silence generation.E001 for a deliberate test deployment.",
                id="generation.E001",
            )
        )
    if settings.FIREFLY_ENDPOINT == "adobe" and not settings.FIREFLY_API_BASE.startswith(
        "https://"
    ):
        errors.append(
            Error("FIREFLY_API_BASE must use https:// for Adobe's API.", id="generation.E003")
        )
    return errors


@register(Tags.database)
def check_broker_and_database(app_configs, **kwargs):
    warnings = []
    broker = settings.CELERY_BROKER_URL
    engine = settings.DATABASES["default"]["ENGINE"]
    if not settings.DEBUG and broker.startswith("filesystem://"):
        warnings.append(
            Warning(
                "The file-system Celery broker serves one machine only and loses countdown "
                "tasks on a hard kill (the sweeper recovers them, late).",
                hint="Use Redis (CELERY_BROKER_URL=redis://…) in production.",
                id="generation.W001",
            )
        )
    if not settings.DEBUG and engine.endswith("sqlite3"):
        warnings.append(
            Warning(
                "SQLite serves one machine only.",
                hint="Use PostgreSQL (DATABASE_URL=postgres://…) to scale out.",
                id="generation.W002",
            )
        )
    return warnings


@register(Tags.security, deploy=True)
def check_email_links(app_configs, **kwargs):
    # A notification emailed by a worker (a generation failed) has no request to take the
    # site's address from: without STUDIO_BASE_URL its link would be a bare path.
    if settings.DEBUG or settings.STUDIO_BASE_URL:
        return []
    return [
        Warning(
            "STUDIO_BASE_URL is not set: emails sent by workers link to a path, not the studio.",
            hint="Set STUDIO_BASE_URL to the studio's address, e.g. https://studio.example.com.",
            id="generation.W003",
        )
    ]
