"""Which request and which job a line of work belongs to, carried across processes.

A request id is taken from the incoming ``X-Request-ID`` (when it looks like one) or made up at
the web's edge, travels in the headers of every Celery message published while it is bound,
and goes out to Firefly as the prefix of each call's ``x-request-id``; the generation or export
a task works on is bound beside it. Log records carry both (`fireflyweb.observability`), so a
generation's whole story — the form post, submit, each poll, ingest — greps by either id.

Plain Python (contextvars), so the Firefly client's factory and the Celery hooks can use it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

request_id: ContextVar[str] = ContextVar("request_id", default="")
job: ContextVar[str] = ContextVar("job", default="")  # e.g. "generation:42", "export:7"


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """An incoming id if it is safe to log and forward, else a new one."""
    return value if value and _ACCEPTABLE_ID.match(value) else new_request_id()


@contextmanager
def bound(*, request: str | None = None, job_name: str | None = None) -> Iterator[None]:
    tokens = []
    if request is not None:
        tokens.append((request_id, request_id.set(request)))
    if job_name is not None:
        tokens.append((job, job.set(job_name)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def firefly_request_id() -> str:
    """A unique ``x-request-id`` per Firefly call that still names the request behind it."""
    suffix = uuid.uuid4().hex[:12]
    current = request_id.get()
    return f"{current}-{suffix}" if current else uuid.uuid4().hex
