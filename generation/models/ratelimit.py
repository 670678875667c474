from django.db import models


class FireflyRequestSlot(models.Model):
    """One reserved window in which this deployment may send one request to Firefly.

    Every worker process and machine paces its Firefly calls through this table (see
    `generation.pipeline.ratelimit`): slot `n` is the time window `[n * width, (n + 1) * width)`
    seconds after the epoch, with `width = 60 / FIREFLY_RATE_LIMIT_PER_MINUTE` (plus 2 %
    headroom). The unique slot number makes reserving a window a plain INSERT that only one
    process can win, on SQLite and PostgreSQL alike. Rows older than an hour are pruned.
    """

    slot = models.BigIntegerField(unique=True)
    width_ms = models.PositiveIntegerField(help_text="Window length when reserved, in ms.")
    owner = models.CharField(
        max_length=64, help_text='Who reserved it, e.g. "poll:42"; a re-run finds its own slot.'
    )
    used = models.BooleanField(
        default=False, help_text="False while the owner waits for the window to start."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "used"], name="requestslot_owner")]

    def __str__(self) -> str:
        return f"slot {self.slot} ({self.owner})"
