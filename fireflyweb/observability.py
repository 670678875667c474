"""Logs, request ids and error reports for operators.

- `RequestIdMiddleware` binds a request id for the web request (`generation.tracing`) and
  answers with it in ``X-Request-ID``.
- `TracingFilter` puts ``request_id`` and ``job`` on every log record; `logging_config` builds
  ``LOGGING`` with JSON lines (``LOG_FORMAT=json``, the default in production) or plain text.
- `connect_celery` carries the request id in the headers of every message published while it is
  bound and binds it again (plus the job's id) in the worker that runs the task.
- `init_sentry` reports errors to Sentry when ``SENTRY_DSN`` is set, scrubbed of secrets.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from generation import tracing

REQUEST_ID_HEADER = "X-Request-ID"
_QUERY = re.compile(r"\?[^\s\"'?]*=[^\s\"']*")
#: Celery tasks whose first argument is the id of the job they work on.
JOB_ARGUMENT = {
    "generation.tasks.submit_generation": "generation",
    "generation.tasks.poll_generation": "generation",
    "generation.tasks.cancel_generation": "generation",
    "generation.tasks.build_export": "export",
}


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = tracing.accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = rid
        with tracing.bound(request=rid):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        return response


class RedactQueryStrings(logging.Filter):
    """Drops query strings that carry parameters from every message: presigned URLs (valid an
    hour) sign themselves there, and libraries such as urllib3 log whole URLs at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


class TracingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = tracing.request_id.get()
        record.job = tracing.job.get()
        return True


def logging_config(*, level: str, json_lines: bool) -> dict[str, Any]:
    plain = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(job)s] %(message)s"
    json_format = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(job)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "tracing": {"()": "fireflyweb.observability.TracingFilter"},
            "redact": {"()": "fireflyweb.observability.RedactQueryStrings"},
        },
        "formatters": {"plain": {"format": plain}, "json": json_format},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json_lines else "plain",
                "filters": ["tracing", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # urllib3 logs every URL it fetches at DEBUG, presigned signatures included.
            "urllib3": {"level": "INFO"},
        },
    }


# --- Celery ---------------------------------------------------------------------------------


def _publish_with_request_id(headers=None, **_kwargs) -> None:
    rid = tracing.request_id.get()
    if headers is not None and rid and "request_id" not in headers:
        headers["request_id"] = rid


def _bind_in_worker(task_id=None, task=None, args=(), **_kwargs) -> None:
    rid = getattr(task.request, "request_id", None) or tracing.new_request_id()
    kind = JOB_ARGUMENT.get(task.name)
    job_name = f"{kind}:{args[0]}" if kind and args else ""
    task.request._tracing_tokens = (tracing.request_id.set(rid), tracing.job.set(job_name))


def _unbind_in_worker(task=None, **_kwargs) -> None:
    tokens = getattr(task.request, "_tracing_tokens", None)
    if tokens:
        tracing.job.reset(tokens[1])
        tracing.request_id.reset(tokens[0])


def connect_celery() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(_publish_with_request_id, weak=False)
    task_prerun.connect(_bind_in_worker, weak=False)
    task_postrun.connect(_unbind_in_worker, weak=False)


# --- Sentry ---------------------------------------------------------------------------------

_SECRET_SETTINGS = ("FIREFLY_CLIENT_SECRET", "SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "METRICS_TOKEN")


def scrub_event(event: dict, _hint: dict | None = None, *, secrets: tuple[str, ...] = ()) -> dict:
    """Mask every known secret value anywhere in the event (messages, frames' variables)."""
    from generation.firefly.redaction import Redactor

    redact = Redactor(*secrets)

    def walk(value):
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return walk(event)


def init_sentry(dsn: str, *, environment: str, secrets: tuple[str, ...]) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=lambda event, hint: scrub_event(event, hint, secrets=secrets),
    )
