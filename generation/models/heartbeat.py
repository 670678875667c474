from django.db import models


class ProcessHeartbeat(models.Model):
    """The last sign of life of one Celery worker or beat process (`generation.ops.heartbeat`).

    Readiness (`/healthz`) counts fresh rows per kind; a container's own check
    (`manage.py healthcheck worker|beat`) looks for a fresh row from its own host. A process
    deletes its row when it stops cleanly; a crashed one's row goes stale and is pruned later.
    The database holds them (not the cache) because both brokers and every cache backend see
    the same table, and the file cache may evict keys at random.
    """

    class Kind(models.TextChoices):
        WORKER = "worker", "Celery worker"
        BEAT = "beat", "Celery beat"

    name = models.CharField(max_length=255, unique=True, help_text='e.g. "celery@host".')
    kind = models.CharField(max_length=16, choices=Kind.choices)
    host = models.CharField(max_length=255, help_text="The machine's (container's) host name.")
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "seen_at"], name="heartbeat_kind_seen")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
