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


@register(Tags.security, deploy=True)
def check_media_storage(app_configs, **kwargs):
    # Each web machine with media on its own disk answers 404 for the files another machine (or
    # a worker elsewhere) wrote, while /healthz still says 200: one machine only.
    if settings.DEBUG or settings.AWS_STORAGE_BUCKET_NAME:
        return []
    return [
        Warning(
            "Media is kept on local disk (MEDIA_ROOT): web machines and workers on other "
            "machines cannot see each other's files.",
            hint="Set AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL for MinIO or another "
            "S3-compatible server) with requirements-s3.txt installed, or silence "
            "generation.W004 when web, workers and beat share one machine or one volume.",
            id="generation.W004",
        )
    ]


@register(Tags.compatibility)
def check_s3_libraries(app_configs, **kwargs):
    # Without these the settings load fine and the first image save fails in a worker.
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return []
    try:
        import boto3  # noqa: F401
        import storages.backends.s3  # noqa: F401
    except ImportError as exc:
        return [
            Error(
                f"AWS_STORAGE_BUCKET_NAME is set but the S3 libraries cannot be imported ({exc}).",
                hint="pip install -r requirements-s3.txt (django-storages and boto3).",
                id="generation.E004",
            )
        ]
    return []
