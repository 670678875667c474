"""The fixed series of steps every API request goes through (after stripe-mock).

latency -> faults -> auth -> rate limit -> route -> handler (validate, respond) -> response
faults, all answered in the real error envelope of the operation, and every answer carrying an
``x-request-id``. The control API (``/_emulator/...``) skips all of it.
"""

from __future__ import annotations

import logging
import time
from typing import cast

from . import control
from .auth import authenticate, presented_token
from .errors import ApiError, api_error, error_response
from .faults import FaultRule, after_response, before_response
from .messages import Request, Response
from .routes import NOT_EMULATED, Route, resolve
from .state import EmulatorState

logger = logging.getLogger(__name__)


def handle(state: EmulatorState, request: Request) -> Response:
    """Answer one request (never raises)."""
    if request.path.startswith(control.PREFIX):
        response = control.handle(state, request)
    else:
        route, request.params = resolve(request.path)
        request.operation = route.operation if route else None
        record = state.begin(request)
        rule = None
        try:
            rule, response = _api(state, request, route)
        except Exception:
            logger.exception("emulator failed on %s %s", request.method, request.path)
            response = error_response(
                request.operation, 500, "runtime_error", "The emulator failed."
            )
        state.finish(record, response, rule.kind if rule else None)
    response.headers.setdefault("x-request-id", request.request_id)
    return response


def _api(
    state: EmulatorState, request: Request, route: Route | None
) -> tuple[FaultRule | None, Response]:
    config = state.config
    if config.latency:
        time.sleep(config.latency)
    operation = request.operation
    rule = state.faults.pick(operation, request.method, request.path)
    if rule is not None and rule.stage == "delay":
        time.sleep(float(rule.param("seconds", 30)))
    elif rule is not None and rule.stage == "before":
        if rule.kind != "token_expired":
            # Every other "before" kind answers (None only for token_expired).
            return rule, cast(Response, before_response(rule, operation))
        token = presented_token(request)
        if token:
            state.tokens.expire(token)
    elif rule is not None and rule.stage == "handler":
        request.fault = rule
    try:
        response = _dispatch(state, request, route)
    except ApiError as exc:
        response = exc.response
    if rule is not None and rule.stage == "after":
        response = after_response(rule, response)
    return rule, response


def _dispatch(state: EmulatorState, request: Request, route: Route | None) -> Response:
    operation = request.operation
    if route is not None and route.authenticated:
        request.credential = authenticate(request, state.config, state.tokens)
        _rate_limit(state, request)
    if route is None:
        if request.path in NOT_EMULATED:
            raise api_error(
                None, 501, "not_implemented", f"The emulator does not serve {request.path}."
            )
        raise api_error(None, 404, "not_found", f"No route for {request.path}.")
    if request.method not in route.methods:
        response = error_response(
            operation, 405, "method_not_allowed", f"{request.method} is not allowed here."
        )
        response.headers["Allow"] = ", ".join(route.methods)
        raise ApiError(response)
    return route.handler(state, request)


def _rate_limit(state: EmulatorState, request: Request) -> None:
    config = state.config
    if not config.rate_limit:
        return
    if request.operation == "status" and not config.rate_limit_counts_polls:
        return
    wait = state.limiter.admit(request.credential or "", config.rate_limit, state.clock.now())
    if wait is not None:
        raise api_error(
            request.operation,
            429,
            "rate_limited",
            "Too many requests. Please try again later.",
            {"retry-after": str(wait), "x-access-rate-limit-level": "org"},
        )
