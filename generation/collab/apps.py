from django.apps import AppConfig


class CollabConfig(AppConfig):
    """Review, comments, notifications, members, share links, exports and the audit trail.

    An app of its own for its urls, template tags and templates; its models live with the
    studio's in `generation.models` (one migration history)."""

    name = "generation.collab"
    label = "collab"
    verbose_name = "Collaboration"
