"""Configuration for :class:`~generation.firefly.client.FireflyClient`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from .facts import DEFAULT_MODEL_VERSION

DEFAULT_SCOPES = "openid,AdobeID,firefly_api,ff_apis"
DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
DEFAULT_API_BASE = "https://firefly-api.adobe.io"
#: Hosts Adobe returns in statusUrl/cancelUrl and for pre-signed output images.
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = (
    "firefly-api.adobe.io",
    "*.adobe.io",
    "pre-signed-firefly*.s3*.amazonaws.com",
)
USER_AGENT = "firefly-campaign-studio/0.1 (python-requests)"

_REDACTED_FIELDS = frozenset({"client_secret"})


@dataclass(frozen=True)
class FireflyConfig:
    """Credentials, endpoints and limits for one Firefly client.

    ``api_base`` and ``ims_url`` may point at the local emulator
    (``http://127.0.0.1:8765``); their hosts are added to the SSRF allow-list
    automatically, and plain ``http`` is allowed only for those configured hosts.
    The secret never appears in ``repr()``.
    """

    client_id: str
    client_secret: str = field(repr=False)
    scopes: str = DEFAULT_SCOPES
    ims_url: str = DEFAULT_IMS_URL
    api_base: str = DEFAULT_API_BASE
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    #: Wall-clock budget for one output download (a slow drip must not hold a worker).
    download_timeout: float = 120.0
    max_download_bytes: int = 25 * 1024 * 1024
    max_upload_bytes: int = 15 * 1024 * 1024
    default_model_version: str = DEFAULT_MODEL_VERSION
    #: Glob patterns (``fnmatch``) for hosts whose URLs the client may follow.
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    #: Retries for idempotent calls (status, custom models, cancel, token, upload).
    max_retries: int = 3
    #: Never sleep more than this in total inside one call; beyond it the error is raised
    #: (with ``retry_after``) so a task queue can reschedule instead of blocking a worker.
    max_retry_wait: float = 30.0
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    #: Refresh the IMS token this long before it expires (capped at 10 % of its lifetime).
    token_expiry_margin: float = 300.0
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        # Accept lists from settings files but keep the dataclass hashable/immutable.
        object.__setattr__(self, "allowed_hosts", tuple(self.allowed_hosts))
        object.__setattr__(self, "api_base", self.api_base.rstrip("/"))
        for name in ("api_base", "ims_url"):
            parts = urlsplit(getattr(self, name))
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ValueError(f"FireflyConfig.{name} must be an http(s) URL")
        if self.max_retries < 0:
            raise ValueError("FireflyConfig.max_retries must be >= 0")

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            shown.append(f"{f.name}={'***' if f.name in _REDACTED_FIELDS else repr(value)}")
        return f"FireflyConfig({', '.join(shown)})"

    @property
    def timeout(self) -> tuple[float, float]:
        """``(connect, read)`` timeout for API calls."""
        return (self.connect_timeout, self.read_timeout)

    @property
    def configured_origins(self) -> frozenset[tuple[str, str, int | None]]:
        """``(scheme, host, port)`` of ``api_base`` and ``ims_url``: trusted explicitly."""
        origins = set()
        for url in (self.api_base, self.ims_url):
            parts = urlsplit(url)
            origins.add((parts.scheme, (parts.hostname or "").lower(), parts.port))
        return frozenset(origins)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, prefix: str = "FIREFLY_"
    ) -> FireflyConfig:
        """Build a config from ``FIREFLY_CLIENT_ID``, ``FIREFLY_CLIENT_SECRET`` and,
        when set, ``FIREFLY_API_BASE``, ``FIREFLY_IMS_URL``, ``FIREFLY_SCOPES``."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {
            "client_id": env.get(f"{prefix}CLIENT_ID", ""),
            "client_secret": env.get(f"{prefix}CLIENT_SECRET", ""),
        }
        for key in ("api_base", "ims_url", "scopes"):
            value = env.get(f"{prefix}{key.upper()}")
            if value:
                kwargs[key] = value
        return cls(**kwargs)
