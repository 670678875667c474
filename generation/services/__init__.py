"""The studio's business logic as plain functions (HackSoft style): views, the admin and the
Celery tasks call these; nothing here needs a request or a worker to be tested."""

from generation.services.catalogue import SyncResult, custom_models_sync
from generation.services.generations import (
    generation_cancel,
    generation_create,
    generation_retry,
    image_set_favourite,
)
from generation.services.pipeline import (
    generation_cancel_at_firefly,
    generation_fail,
    generation_mark_cancelled,
    generation_poll,
    generation_submit,
    generation_sweep,
)
from generation.services.scheduling import Step

__all__ = [
    "Step",
    "SyncResult",
    "custom_models_sync",
    "generation_cancel",
    "generation_cancel_at_firefly",
    "generation_create",
    "generation_fail",
    "generation_mark_cancelled",
    "generation_poll",
    "generation_retry",
    "generation_submit",
    "generation_sweep",
    "image_set_favourite",
]
