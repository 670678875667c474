"""The control API under ``/_emulator/``: the same powers ``EmulatorState`` gives in-process.

Not part of Firefly: no auth, no faults, no latency, not counted or recorded. Errors are
``{"error": "..."}`` with 400 (bad input), 404 (unknown job or path), 405 (wrong method) or 409
(driving a job that has already ended).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from .jobs import JobEndedError
from .messages import Request, Response
from .state import EmulatorState

PREFIX = "/_emulator/"
_JOB_PATH = re.compile(r"jobs/(?P<job_id>[^/]+)(?:/(?P<action>[a-z_]+))?")


class _ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handle(state: EmulatorState, request: Request) -> Response:
    """Answer a control request."""
    path = request.path.removeprefix(PREFIX).rstrip("/")
    try:
        if path in _ENDPOINTS:
            methods, endpoint = _ENDPOINTS[path]
            _allow(request.method, *methods)
            data = endpoint(state, request)
        elif match := _JOB_PATH.fullmatch(path):
            data = _job(state, request, match["job_id"], match["action"])
        else:
            raise _ControlError(404, f"no control endpoint {request.path}")
    except _ControlError as exc:
        return Response.json(exc.status, {"error": str(exc)})
    except (ValueError, TypeError) as exc:
        return Response.json(400, {"error": str(exc)})
    return Response.json(200, data)


def _body(request: Request) -> Any:
    if not request.body.strip():
        return {}
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise ValueError(f"the body is not valid JSON: {exc}") from None


def _object(request: Request) -> dict[str, Any]:
    body = _body(request)
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise _ControlError(405, f"use {' or '.join(allowed)}")


def _reset(state: EmulatorState, request: Request) -> Any:
    state.reset()
    return {"reset": True}


def _config(state: EmulatorState, request: Request) -> Any:
    if request.method == "POST":
        state.configure(**_object(request))
    return state.config.runtime_settings()


def _faults(state: EmulatorState, request: Request) -> Any:
    """POST appends, PUT replaces, DELETE clears; body: a rule, a list, or {"rules": [...]}."""
    if request.method == "DELETE":
        state.clear_faults()
    elif request.method in ("POST", "PUT"):
        body = _body(request)
        rules = body.get("rules", [body]) if isinstance(body, dict) else body
        if not isinstance(rules, list):
            raise ValueError('send a rule, a list of rules or {"rules": [...]}')
        if request.method == "POST":
            state.add_faults(*rules)
        else:
            state.set_faults(rules)
    return {"rules": state.faults.rules()}


def _requests(state: EmulatorState, request: Request) -> Any:
    if request.method == "DELETE":
        state.clear_requests()
    return {"requests": state.requests(request.query_value("operation"))}


def _advance(state: EmulatorState, request: Request) -> Any:
    seconds = _object(request).get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError('send {"seconds": <number>}')
    state.advance_time(seconds)
    return {"advanced": seconds}


def _custom_models(state: EmulatorState, request: Request) -> Any:
    if request.method == "POST":
        state.add_custom_model(_object(request))
    return {"custom_models": [asdict(model) for model in state.custom_models()]}


def _job(state: EmulatorState, request: Request, job_id: str, action: str | None) -> Any:
    try:
        if action is None:
            _allow(request.method, "GET")
            return state.job(job_id)
        _allow(request.method, "POST")
        return state.drive_job(job_id, action, **_object(request))
    except KeyError:
        raise _ControlError(404, f"unknown job {job_id}") from None
    except JobEndedError as exc:
        raise _ControlError(409, str(exc)) from None


Endpoint = Callable[[EmulatorState, Request], Any]
_ENDPOINTS: dict[str, tuple[tuple[str, ...], Endpoint]] = {
    "health": (("GET",), lambda state, request: {"status": "ok"}),
    "reset": (("POST",), _reset),
    "config": (("GET", "POST"), _config),
    "faults": (("GET", "POST", "PUT", "DELETE"), _faults),
    "counters": (("GET",), lambda state, request: state.counters()),
    "requests": (("GET", "DELETE"), _requests),
    "jobs": (("GET",), lambda state, request: {"jobs": state.jobs()}),
    "tokens/expire": (("POST",), lambda state, request: {"expired": state.expire_tokens()}),
    "time/advance": (("POST",), _advance),
    "custom-models": (("GET", "POST"), _custom_models),
}
