"""The request and response objects the pipeline passes around (no sockets in here)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .faults import FaultRule


@dataclass
class Request:
    """One parsed HTTP request, plus what the pipeline learns about it on the way."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    request_id: str
    #: Origin for URLs the emulator hands out (statusUrl, image URLs).
    base_url: str
    operation: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    #: The fault rule picked for this request, when its effect belongs to the handler.
    fault: FaultRule | None = None
    #: The client id an authenticated request was made with.
    credential: str | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased ("" when absent)."""
        return (self.header("Content-Type") or "").split(";", 1)[0].strip().lower()


@dataclass
class Response:
    """What to send back, or how to misbehave instead (connection faults)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Body produced in chunks (huge outputs); ``content_length`` must then be set.
    stream: Iterable[bytes] | None = None
    content_length: int | None = None
    #: "reset" (RST, nothing sent) or "empty" (orderly close, nothing sent).
    connection: str | None = None
    #: Send the full Content-Length header but only this many body bytes, then close.
    truncate_at: int | None = None

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(data, separators=(",", ":")).encode()
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def text(cls, status: int, text: str, content_type: str) -> Response:
        return cls(status, text.encode(), {"Content-Type": content_type})

    @property
    def length(self) -> int:
        if self.stream is not None:
            return cast(int, self.content_length)  # set with every stream
        return len(self.body)
