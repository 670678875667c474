"""What the pipeline announces to the rooms above it, which it never imports.

Receivers connect in their app's `ready` (the collaboration app tells the requester).
"""

from django.dispatch import Signal

#: Sent when a generation has just been moved to failed or cancelled (ended without images),
#: with `generation_id`, after the row was updated (inside the caller's transaction, if any).
#: Sent robustly: a receiver's error is logged and never changes the generation's outcome.
generation_failed = Signal()
