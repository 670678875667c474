"""Error envelopes, one per family of endpoint, exactly as the contract describes them.

* Firefly endpoints: ``{"error_code", "message"}`` (``ApiError``/``ApiErrorGeneric``/``ErrorBody``),
  422 adds pydantic-style ``validation_errors``.
* ``GET /v3/custom-models``: ``{"reason", "message"}`` (``ErrorResponse``).
* IMS token endpoint: OAuth's ``{"error", "error_description"}``.
* Signed output URLs: S3's XML ``<Error>`` document.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

from .messages import Response

#: Adobe I/O gateway answers (from the old v2 spec; the contract keeps them for today's API).
TOKEN_INVALID = ("401013", "Oauth token is not valid")
API_KEY_MISSING = ("403000", "Api Key is required")
API_KEY_INVALID = ("403003", "Api Key is invalid")

_S3_CODES = {400: "InvalidRequest", 403: "AccessDenied", 404: "NoSuchKey", 503: "SlowDown"}


class ApiError(Exception):
    """Raised anywhere in the pipeline; carries the complete response to send."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_response(
    operation: str | None,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error body the real service family behind ``operation`` would send."""
    if operation == "custom_models":
        response = Response.json(status, {"reason": reason(status), "message": message})
    elif operation == "token":
        response = Response.json(status, {"error": code, "error_description": message})
    elif operation == "download":
        response = s3_error(status, _S3_CODES.get(status, "InternalError"), message)
    else:
        response = Response.json(status, {"error_code": code, "message": message})
    response.headers.update(headers or {})
    return response


def api_error(
    operation: str | None,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> ApiError:
    return ApiError(error_response(operation, status, code, message, headers))


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(Response.json(400, {"error_code": code, "message": message}))


def validation_error(errors: list[dict[str, Any]], message: str | None = None) -> ApiError:
    body = {
        "error_code": "validation_error",
        "message": message or "Request validation failed.",
        "validation_errors": errors,
    }
    return ApiError(Response.json(422, body))


def gateway_html(status: int) -> Response:
    """The HTML page a proxy in front of the service answers with (413, 502, ...)."""
    title = f"{status} {reason(status)}"
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    return Response.text(status, page, "text/html")


def s3_error(status: int, code: str, message: str, **details: Any) -> Response:
    """An S3-style XML error document (``<Error><Code>AccessDenied</Code>...``)."""
    extra = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in details.items())
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>{extra}</Error>"
    )
    return Response.text(status, xml, "application/xml")
