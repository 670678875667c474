"""Heartbeats of the Celery processes, kept in `ProcessHeartbeat` rows.

A worker writes one from its consumer's timer (`WorkerHeartbeat`), beat from its scheduler's tick
(`HeartbeatScheduler`); both every `HEALTH_HEARTBEAT_SECONDS`. A failed write is logged and never
stops the process: the row then goes stale, which is what readiness reports.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import timedelta

from celery import bootsteps
from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)

#: Rows of processes gone this long are deleted (container host names change on every deploy).
PRUNE_AFTER = timedelta(days=1)


def host_name() -> str:
    return socket.gethostname()


def record(kind: str, name: str) -> bool:
    """Say that process `name` of `kind` is alive now. False (logged) when it could not."""
    from generation.models import ProcessHeartbeat

    now = timezone.now()
    try:
        ProcessHeartbeat.objects.update_or_create(
            name=name,
            defaults={"kind": kind, "host": host_name(), "pid": os.getpid(), "seen_at": now},
            create_defaults={
                "kind": kind,
                "host": host_name(),
                "pid": os.getpid(),
                "started_at": now,
                "seen_at": now,
            },
        )
        ProcessHeartbeat.objects.filter(seen_at__lt=now - PRUNE_AFTER).delete()
        return True
    except Exception:  # the database may be down; the process must go on
        log.warning("Could not record the %s heartbeat of %s", kind, name, exc_info=True)
        return False
    finally:
        # Timers and beat run outside any request or task: never keep a connection open here
        # (it would pin a PostgreSQL backend, and block dropping a test database).
        connection.close()


def forget(name: str) -> None:
    """A process that stops cleanly says so at once, instead of going stale."""
    from generation.models import ProcessHeartbeat

    try:
        ProcessHeartbeat.objects.filter(name=name).delete()
    except Exception:
        log.warning("Could not remove the heartbeat of %s", name, exc_info=True)
    finally:
        connection.close()


def fresh(kind: str, max_age_seconds: float, *, host: str | None = None):
    """The heartbeats of `kind` seen in the last `max_age_seconds` (of `host` when given)."""
    from generation.models import ProcessHeartbeat

    rows = ProcessHeartbeat.objects.filter(
        kind=kind, seen_at__gte=timezone.now() - timedelta(seconds=max_age_seconds)
    )
    return rows.filter(host=host) if host is not None else rows


def seconds_since_last(kind: str) -> float | None:
    """Seconds since any process of `kind` was last seen; None when none ever was."""
    from generation.models import ProcessHeartbeat

    last = (
        ProcessHeartbeat.objects.filter(kind=kind)
        .order_by("-seen_at")
        .values_list("seen_at", flat=True)
        .first()
    )
    return None if last is None else max(0.0, (timezone.now() - last).total_seconds())


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A consumer step: the heartbeat runs on the consumer's own timer, so a worker whose consumer
    is wedged stops beating even though its process is still there."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.tref = None
        self.node = None

    def start(self, parent):
        from generation.models import ProcessHeartbeat

        self.node = parent.hostname
        beat = lambda: record(ProcessHeartbeat.Kind.WORKER, self.node)  # noqa: E731
        beat()
        self.tref = parent.timer.call_repeatedly(settings.HEALTH_HEARTBEAT_SECONDS, beat)

    def stop(self, parent):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        if self.node is not None:
            forget(self.node)

    shutdown = stop


class HeartbeatScheduler(PersistentScheduler):
    """Celery's default scheduler, recording beat's heartbeat on its tick and waking at least
    once per heartbeat interval to do so."""

    def __init__(self, *args, **kwargs):
        self._last_heartbeat = float("-inf")
        self.heartbeat_name = f"beat@{host_name()}"
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        from generation.models import ProcessHeartbeat

        wait = super().tick(*args, **kwargs)
        every = settings.HEALTH_HEARTBEAT_SECONDS
        now = time.monotonic()
        if now - self._last_heartbeat >= every:
            record(ProcessHeartbeat.Kind.BEAT, self.heartbeat_name)
            self._last_heartbeat = now
        return min(wait, every)

    def close(self):
        super().close()
        forget(self.heartbeat_name)
