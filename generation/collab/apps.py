from django.apps import AppConfig


class CollabConfig(AppConfig):
    """Review, comments, notifications, members, share links, exports and the audit trail.

    An app of its own for its urls, template tags and templates; its models live with the
    studio's in `generation.models` (one migration history)."""

    name = "generation.collab"
    label = "collab"
    verbose_name = "Collaboration"

    def ready(self) -> None:
        # Imported here, once the models are loaded (the receivers use them).
        from generation.collab import receivers
        from generation.pipeline.signals import generation_failed

        generation_failed.connect(
            receivers.tell_requester_of_failure, dispatch_uid="collab.tell_requester_of_failure"
        )
