"""Keep secrets out of logs, reprs and exception messages."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit, urlunsplit

MASK = "***"

# Shapes that carry credentials whatever their value: bearer headers, OAuth
# token bodies, form-encoded secrets.
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r'(?i)("(?:access_token|refresh_token|client_secret|id_token)"\s*:\s*")[^"]*'),
    re.compile(r"(?i)((?:access_token|client_secret|refresh_token)=)[^&\s]+"),
)


class Redactor:
    """Masks known secret strings (client secret, issued tokens) and credential shapes."""

    def __init__(self, *secrets: str) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Remember ``secret`` so it is masked wherever it shows up later."""
        # Very short values would mask ordinary words; real secrets are long.
        if secret and len(secret) >= 6:
            with self._lock:
                self._secrets.add(secret)

    def __call__(self, text: str | None) -> str:
        if not text:
            return text or ""
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


def loggable_url(url: str) -> str:
    """The URL without its query string: pre-signed URLs carry signatures there."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    query = "…" if parts.query else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def snippet(text: str | None, limit: int = 500) -> str | None:
    """A bounded excerpt of a response body for error messages."""
    if text is None:
        return None
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
