"""IMS client-credentials tokens, cached across processes.

Tokens live 24 hours. They are cached in a caller-provided cache (Django's
cache satisfies the protocol) under a key derived from the client id, scopes
and IMS URL (hashed; never the secret), and refreshed a margin before they
expire, so every worker process shares one token instead of each asking IMS.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from . import errors
from .config import FireflyConfig
from .redaction import Redactor
from .transport import Transport

logger = logging.getLogger("generation.firefly")

#: Used when IMS omits ``expires_in``: short enough to be safe, long enough to be useful.
_FALLBACK_LIFETIME = 3600.0


@runtime_checkable
class TokenCache(Protocol):
    """The two cache methods the client needs (``django.core.cache.cache`` fits)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str | None, timeout: float | None) -> None: ...


class InMemoryTokenCache:
    """A process-local :class:`TokenCache` with expiry (the default)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[1] <= self._clock():
                del self._items[key]
                return None
            return item[0]

    def set(self, key: str, value: str | None, timeout: float | None) -> None:
        with self._lock:
            if value is None:
                self._items.pop(key, None)
            else:
                expires = float("inf") if timeout is None else self._clock() + timeout
                self._items[key] = (value, expires)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def __repr__(self) -> str:
        return f"InMemoryTokenCache({len(self._items)} entries)"


def cache_timeout(expires_in: float, margin: float) -> int:
    """Seconds to keep a token: ``expires_in`` less ``min(margin, 10 % of it)``.

    The 10 % cap keeps short-lived tokens (e.g. a 60 s emulator token) useful.
    """
    return int(expires_in - min(margin, expires_in * 0.1))


class TokenProvider:
    """Fetches and caches IMS access tokens for one client id + scopes."""

    def __init__(
        self,
        config: FireflyConfig,
        transport: Transport,
        cache: TokenCache,
        redactor: Redactor,
    ) -> None:
        self.config = config
        self.transport = transport
        self.cache = cache
        self.redact = redactor
        self._lock = threading.Lock()
        digest = hashlib.sha256(
            f"{config.ims_url}\n{config.client_id}\n{config.scopes}".encode()
        ).hexdigest()[:32]
        self.cache_key = f"firefly:ims-token:{digest}"

    def __repr__(self) -> str:
        return f"TokenProvider(cache_key={self.cache_key!r})"

    def get_token(self) -> str:
        """A valid access token, from the cache when possible."""
        token = self.cache.get(self.cache_key)
        if token:
            self.redact.add(token)
            return token
        # One refresh per process at a time; other processes may race, which is harmless.
        with self._lock:
            token = self.cache.get(self.cache_key)
            if token:
                self.redact.add(token)
                return token
            token, expires_in = self._fetch()
            timeout = cache_timeout(expires_in, self.config.token_expiry_margin)
            if timeout >= 1:
                self.cache.set(self.cache_key, token, timeout)
            logger.info("firefly: fetched IMS token, cached for %ss", max(timeout, 0))
            return token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after Firefly rejected it (unless another process replaced it)."""
        if self.cache.get(self.cache_key) != token:
            return
        delete = getattr(self.cache, "delete", None)
        if callable(delete):
            delete(self.cache_key)
        else:
            self.cache.set(self.cache_key, None, 1)

    def _fetch(self) -> tuple[str, float]:
        cfg = self.config
        if not cfg.client_id or not cfg.client_secret:
            raise errors.AuthenticationError("Firefly client id/secret are not configured")
        form = {  # a dict, so requests URL-encodes secrets containing & + = (the SDK's bug)
            "grant_type": "client_credentials",
            "client_id": cfg.client_id,
            "client_secret": cfg.client_secret,
            "scope": cfg.scopes,
        }
        try:
            response, data = self.transport.request(
                "POST",
                cfg.ims_url,
                data=form,
                headers={"Accept": "application/json"},
                parse_json=True,
            )
        except errors.FireflyError as err:
            if err.transient:
                raise  # IMS unavailable or rate limiting: not a credentials problem
            raise errors.AuthenticationError(
                f"IMS token request failed: {err.message}",
                status=err.status,
                error_code=err.error_code,
                request_id=err.request_id,
                response_text=err.response_text,
            ) from None
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise errors.AuthenticationError(
                "IMS response had no access_token", status=response.status_code
            )
        self.redact.add(token)
        expires_in = data.get("expires_in")
        if isinstance(expires_in, str) and expires_in.isdigit():
            expires_in = int(expires_in)
        if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
            expires_in = _FALLBACK_LIFETIME
        return token, float(expires_in)
