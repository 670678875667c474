"""Fault rules: ordered, first match wins, each limited by ``times``, ``after`` and ``probability``.

A rule, in the JSON the control API takes (``POST /_emulator/faults``)::

    {"match": {"operation": "status", "path": "/v3/status/*", "method": "GET"},
     "kind": "error", "status": 503, "times": 3, "after": 1, "probability": 1.0}

``match`` may also be a bare operation name. A request *meets* a rule when every given match
field agrees (``path`` is an fnmatch pattern) and the kind applies to the operation. Of the rules
it meets, in order, the first one past its ``after`` count, with ``times`` left and winning its
probability roll (the emulator's seeded ``random.Random``) fires. Kinds act at different stages
of the pipeline (see ``STAGES``); response faults let the real handler run first, so its side
effects (a created job) happen, as they do when a real response is lost on the way back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from random import Random
from typing import Any

from .config import CONTENT_POLICY_MODES
from .errors import error_response, gateway_html, reason
from .messages import Response

OPERATIONS = (
    "token",
    "generate",
    "status",
    "cancel",
    "upload",
    "custom_models",
    "download",
    "sync_generate",
)
API_OPERATIONS = frozenset(OPERATIONS) - {"token", "download"}
_JSON_OPERATIONS = frozenset(OPERATIONS) - {"download"}

#: kind -> (stage, operations it applies to). Stages: "before" answers instead of the service,
#: "delay" waits then carries on, "handler" changes what the handler does, "after" spoils the
#: handler's response.
STAGES: dict[str, tuple[str, frozenset[str]]] = {
    "rate_limited": ("before", frozenset(OPERATIONS)),
    "error": ("before", frozenset(OPERATIONS)),
    "html": ("before", _JSON_OPERATIONS),
    "reset": ("before", frozenset(OPERATIONS)),
    "empty_reply": ("before", frozenset(OPERATIONS)),
    "access_error": ("before", API_OPERATIONS),
    "token_expired": ("before", API_OPERATIONS),
    "expired_url": ("before", frozenset({"download"})),
    "delay": ("delay", frozenset(OPERATIONS)),
    "content_policy": ("handler", frozenset({"generate", "sync_generate", "upload"})),
    "job_failed": ("handler", frozenset({"generate"})),
    "job_cancelled": ("handler", frozenset({"generate"})),
    "job_timeout": ("handler", frozenset({"generate"})),
    "malformed_json": ("after", _JSON_OPERATIONS),
    "corrupt_output": ("after", frozenset({"download"})),
    "oversize_output": ("after", frozenset({"download"})),
}

_DEFAULT_CODES = {
    400: "bad_request",
    408: "timeout_error",
    409: "job_cancel_failed",
    429: "rate_limited",
    500: "runtime_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
_CORRUPT_MODES = ("truncate", "garble", "short_body")
#: Kind-specific parameters and their JSON types.
_PARAMS: dict[str, type | tuple[type, ...]] = {
    "status": int,
    "error_code": str,
    "message": str,
    "seconds": (int, float),
    "retry_after": int,
    "level": str,
    "reason": str,
    "size_bytes": int,
    "mode": str,
}
_KEYS = set(_PARAMS) | {"kind", "match", "times", "probability", "after"}


@dataclass
class FaultRule:
    """One rule; ``seen``/``fired`` count matching requests and firings since it was added."""

    kind: str
    operation: str | None = None
    path: str | None = None
    method: str | None = None
    times: int | None = None
    probability: float = 1.0
    after: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in STAGES:
            raise ValueError(f"unknown fault kind {self.kind!r}; kinds: {', '.join(STAGES)}")
        if self.operation is not None and self.operation not in OPERATIONS:
            raise ValueError(f"unknown operation {self.operation!r}; use {', '.join(OPERATIONS)}")
        if self.operation is not None and self.operation not in STAGES[self.kind][1]:
            raise ValueError(f"fault {self.kind!r} does not apply to {self.operation!r}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1, or null/'unlimited'")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.after < 0:
            raise ValueError("after must be >= 0")
        for name, value in self.params.items():
            expected = _PARAMS.get(name)
            if expected is None or isinstance(value, bool) or not isinstance(value, expected):
                raise ValueError(f"bad fault parameter {name}={value!r}")
            if isinstance(value, int | float) and value < 0:
                raise ValueError(f"fault parameter {name} must be >= 0")
        if not 100 <= self.params.get("status", 500) <= 599:
            raise ValueError("status must be an HTTP status (100-599)")
        if self.kind == "corrupt_output" and self.params.get("mode", "truncate") not in (
            _CORRUPT_MODES
        ):
            raise ValueError(f"corrupt_output mode must be one of {_CORRUPT_MODES}")
        if self.kind == "content_policy" and self.params.get("mode") not in (
            None,
            *CONTENT_POLICY_MODES,
        ):
            raise ValueError(f"content_policy mode must be one of {CONTENT_POLICY_MODES}")
        if self.method:
            self.method = self.method.upper()

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> FaultRule:
        """Build a rule from its control-API JSON; ValueError says what is wrong."""
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be a JSON object")
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            raise ValueError(f"unknown fault rule keys: {', '.join(unknown)}")
        if "kind" not in spec:
            raise ValueError("a fault rule needs a 'kind'")
        match = spec.get("match") or {}
        if isinstance(match, str):
            match = {"operation": match}
        if not isinstance(match, dict) or set(match) - {"operation", "path", "method"}:
            raise ValueError("match must be an operation name or {operation, path, method}")
        times = spec.get("times")
        if times == "unlimited":
            times = None
        try:
            return cls(
                kind=spec["kind"],
                operation=match.get("operation"),
                path=match.get("path"),
                method=match.get("method"),
                times=None if times is None else int(times),
                probability=float(spec.get("probability", 1.0)),
                after=int(spec.get("after", 0)),
                params={key: spec[key] for key in _PARAMS if key in spec},
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None

    def to_dict(self) -> dict[str, Any]:
        match = {"operation": self.operation, "path": self.path, "method": self.method}
        return {
            "kind": self.kind,
            "match": {key: value for key, value in match.items() if value is not None},
            "times": "unlimited" if self.times is None else self.times,
            "probability": self.probability,
            "after": self.after,
            **self.params,
            "seen": self.seen,
            "fired": self.fired,
        }

    @property
    def stage(self) -> str:
        return STAGES[self.kind][0]

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def meets(self, operation: str | None, method: str, path: str) -> bool:
        """Whether a request with this operation, method and path matches the rule."""
        if self.operation is not None and operation != self.operation:
            return False
        if self.method is not None and method != self.method:
            return False
        if self.path is not None and not fnmatchcase(path, self.path):
            return False
        return operation in STAGES[self.kind][1]


class FaultEngine:
    """The ordered rule list; thread-safe."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_dict() for rule in self._rules]

    def add(self, rules: list[FaultRule | dict[str, Any]]) -> None:
        built = [r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in rules]
        with self._lock:
            self._rules.extend(built)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pick(self, operation: str | None, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (its counters are updated)."""
        with self._lock:
            for rule in self._rules:
                if not rule.meets(operation, method, path):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule
        return None


def before_response(rule: FaultRule, operation: str | None) -> Response | None:
    """The answer a "before"-stage rule gives instead of the service (None: carry on)."""
    status = rule.param("status")
    message = rule.param("message")
    if rule.kind == "reset":
        return Response(0, connection="reset")
    if rule.kind == "empty_reply":
        return Response(0, connection="empty")
    if rule.kind == "html":
        return gateway_html(status or 502)
    if rule.kind == "rate_limited":
        headers = {
            "retry-after": str(int(rule.param("retry_after", 1))),
            "x-access-rate-limit-level": str(rule.param("level", "org")),
        }
        text = message or "Too many requests. Please try again later."
        code = rule.param("error_code", "rate_limited")
        return error_response(operation, status or 429, code, text, headers)
    if rule.kind == "access_error":
        why = rule.param("reason", "quota_exhausted")
        text = message or f"Access denied ({why})."
        code = rule.param("error_code", "access_error")
        return error_response(operation, status or 403, code, text, {"x-access-error": why})
    if rule.kind == "expired_url":
        return error_response("download", 403, "AccessDenied", "Request has expired")
    if rule.kind == "error":
        status = status or 500
        code = rule.param("error_code", _DEFAULT_CODES.get(status, "runtime_error"))
        return error_response(operation, status, code, message or reason(status))
    return None  # token_expired: the pipeline expires the token and auth answers


def after_response(rule: FaultRule, response: Response) -> Response:
    """Spoil a response the handler produced ("after"-stage rules)."""
    if rule.kind == "malformed_json":
        response.body = response.body[: max(1, len(response.body) // 2)]
        return response
    if response.status != 200:
        return response  # nothing to corrupt: the download failed anyway
    if rule.kind == "oversize_output":
        size = int(rule.param("size_bytes", 64 * 1024 * 1024))
        response.stream = _padded(response.body, size)
        response.content_length = max(size, len(response.body))
        response.headers.pop("ETag", None)
        return response
    mode = rule.param("mode", "truncate")
    if mode == "truncate":
        response.body = response.body[: len(response.body) // 2]
    elif mode == "garble":
        body = bytearray(response.body)
        middle = len(body) // 2
        body[middle : middle + 4096] = bytes(b ^ 0x5A for b in body[middle : middle + 4096])
        response.body = bytes(body)
    else:  # short_body: announce everything, send half, hang up
        response.truncate_at = len(response.body) // 2
    return response


def _padded(body: bytes, size: int, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    """The image followed by zero bytes up to ``size`` (a valid JPEG/PNG, absurdly large)."""
    yield body
    remaining = size - len(body)
    block = bytes(chunk)
    while remaining > 0:
        yield block[: min(chunk, remaining)]
        remaining -= chunk
