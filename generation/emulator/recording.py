"""What arrived and what went back: counters and the recorded requests (secrets redacted)."""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from typing import Any
from urllib.parse import parse_qs

from .messages import Request, Response

_REDACTED = "<redacted>"
_SECRET_HEADERS = frozenset({"authorization", "x-user-token", "cookie", "proxy-authorization"})


class Recorder:
    """Thread-safe counters per operation and status, and a bounded log of requests."""

    def __init__(self, record_limit: int) -> None:
        self._lock = threading.Lock()
        self.reset(record_limit)

    def reset(self, record_limit: int) -> None:
        with self._lock:
            self._received: Counter[str] = Counter()
            self._responses: dict[str, Counter[str]] = {}
            self._status_codes: Counter[str] = Counter()
            self._faults: Counter[str] = Counter()
            self._events: Counter[str] = Counter()
            self._records: deque[dict[str, Any]] = deque(maxlen=record_limit)
            self._sequence = 0

    def begin(self, request: Request, time: str) -> dict[str, Any]:
        """Count an incoming API request and record it; returns the record for ``finish``."""
        with self._lock:
            self._sequence += 1
            self._received[request.operation or "unknown"] += 1
            record = {
                "seq": self._sequence,
                "time": time,
                "requestId": request.request_id,
                "method": request.method,
                "path": request.path,
                "query": {k: v if len(v) > 1 else v[0] for k, v in request.query.items()},
                "operation": request.operation,
                "headers": _redacted_headers(request),
                "contentType": request.media_type or None,
                "bodySize": len(request.body),
                "body": _loggable_body(request),
                "status": None,
                "fault": None,
            }
            self._records.append(record)
            return record

    def finish(self, record: dict[str, Any], response: Response, fault: str | None) -> None:
        """Count the answer ("reset"/"empty" for dropped connections) and complete the record."""
        status = response.connection or str(response.status)
        with self._lock:
            record["status"] = None if response.connection else response.status
            record["fault"] = fault
            self._responses.setdefault(record["operation"] or "unknown", Counter())[status] += 1
            self._status_codes[status] += 1
            if fault:
                self._faults[fault] += 1

    def note(self, event: str) -> None:
        """Count an event (``jobs_created``, ``tokens_issued``, ``uploads``)."""
        with self._lock:
            self._events[event] += 1

    def counters(self) -> dict[str, Any]:
        with self._lock:
            return {
                "received": dict(self._received),
                "responses": {op: dict(c) for op, c in self._responses.items()},
                "status_codes": dict(self._status_codes),
                "faults": dict(self._faults),
                "jobs_created": self._events["jobs_created"],
                "tokens_issued": self._events["tokens_issued"],
                "uploads": self._events["uploads"],
            }

    def count(self, operation: str, status: int | str | None = None) -> int:
        with self._lock:
            if status is None:
                return self._received[operation]
            return self._responses.get(operation, Counter())[str(status)]

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(r) for r in self._records if operation is None or r["operation"] == operation
            ]

    def clear_requests(self) -> None:
        with self._lock:
            self._records.clear()


def _redacted_headers(request: Request) -> dict[str, str]:
    headers = {}
    for name, value in request.headers.items():
        lowered = name.lower()
        if lowered in _SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} {_REDACTED}".strip()
        headers[lowered] = value
    return headers


def _loggable_body(request: Request) -> Any:
    """The JSON body, or the form with the secret hidden, or None for binary/invalid bodies."""
    if not request.body:
        return None
    if request.media_type == "application/x-www-form-urlencoded":
        form = parse_qs(request.body.decode("latin-1"))
        return {k: _REDACTED if k == "client_secret" else v[0] for k, v in form.items()}
    if request.media_type.endswith("json"):
        try:
            return json.loads(request.body)
        except ValueError:
            return None
    return None
