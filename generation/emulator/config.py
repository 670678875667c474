"""Emulator configuration: fixed at start (address, credentials, seed) or adjustable at runtime."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CLIENT_ID = "campaign-studio-local"
DEFAULT_CLIENT_SECRET = "emulator-secret-not-for-production"  # noqa: S105 (the emulator's own)
DEFAULT_DENIED_WORDS = ("forbidden-word",)

CONTENT_POLICY_MODES = ("reject_at_submit", "fail_job")
PROGRESSIONS = ("auto", "manual")

#: Fields that ``POST /_emulator/config`` and ``EmulatorState.configure`` may change.
RUNTIME_FIELDS = (
    "latency",
    "pending_seconds",
    "job_seconds",
    "cancel_seconds",
    "progression",
    "rate_limit",
    "rate_limit_counts_polls",
    "token_lifetime",
    "url_lifetime",
    "denied_words",
    "content_policy_mode",
)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the emulator needs; immutable (runtime changes produce a new instance).

    ``port=0`` binds an ephemeral port (what tests want); the command line defaults to 8765.
    The client secret never appears in ``repr()``.
    """

    host: str = "127.0.0.1"
    port: int = 0
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    #: More accepted credentials (client id -> secret), e.g. to test per-credential limits.
    extra_clients: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: Seeds the emulator's random.Random: job ids, default image seeds, fault probabilities.
    seed: int = 0
    #: Origin put in statusUrl/cancelUrl/image URLs; default: the Host header of each request.
    public_url: str | None = None
    #: Initial fault rules (dicts in the control-API format, or FaultRule objects).
    faults: Sequence[Any] = ()
    #: Upper bound for the cache of encoded output images.
    image_cache_bytes: int = 64 * 1024 * 1024
    #: How many requests ``/_emulator/requests`` keeps (oldest dropped first).
    record_limit: int = 1000

    # --- adjustable at runtime (RUNTIME_FIELDS) ---
    #: Seconds added before every API response (not the control API).
    latency: float = 0.0
    #: How long a new job reports ``pending``.
    pending_seconds: float = 0.5
    #: How long a job then reports ``running`` (progress 0-100) before it ends.
    job_seconds: float = 3.0
    #: How long a cancelled job reports ``cancel_pending`` before ``cancelled``.
    cancel_seconds: float = 0.5
    #: "auto": jobs move on with time; "manual": they wait for /_emulator/jobs/{id}/... calls.
    progression: str = "auto"
    #: Requests per minute per credential (sliding window); None or 0 disables the limit.
    rate_limit: int | None = None
    #: Whether status polls count against ``rate_limit``.
    rate_limit_counts_polls: bool = True
    #: ``expires_in`` of issued IMS tokens, in seconds.
    token_lifetime: int = 86399
    #: Lifetime of signed output URLs, in seconds.
    url_lifetime: int = 3600
    #: Prompts containing any of these (case-insensitive) hit the content policy.
    denied_words: tuple[str, ...] = DEFAULT_DENIED_WORDS
    #: "reject_at_submit" (451 prompt_unsafe) or "fail_job" (202, then status failed).
    content_policy_mode: str = "reject_at_submit"

    def __post_init__(self) -> None:
        object.__setattr__(self, "denied_words", tuple(w.lower() for w in self.denied_words))
        object.__setattr__(self, "extra_clients", dict(self.extra_clients))
        object.__setattr__(self, "faults", tuple(self.faults))
        if self.rate_limit == 0:
            object.__setattr__(self, "rate_limit", None)
        if self.public_url:
            object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        self._check()

    def _check(self) -> None:
        for name in ("latency", "pending_seconds", "job_seconds", "cancel_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        for name in ("token_lifetime", "url_lifetime", "image_cache_bytes", "record_limit"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ValueError("rate_limit must be >= 0")
        if self.content_policy_mode not in CONTENT_POLICY_MODES:
            raise ValueError(f"content_policy_mode must be one of {CONTENT_POLICY_MODES}")
        if self.progression not in PROGRESSIONS:
            raise ValueError(f"progression must be one of {PROGRESSIONS}")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be 0-65535")
        if not self.client_id or not self.client_secret:
            raise ValueError("client_id and client_secret must not be empty")

    @property
    def credentials(self) -> dict[str, str]:
        """Every accepted client id mapped to its secret."""
        return {**self.extra_clients, self.client_id: self.client_secret}

    def runtime_settings(self) -> dict[str, Any]:
        """The adjustable fields as JSON-ready values."""
        values = {name: getattr(self, name) for name in RUNTIME_FIELDS}
        values["denied_words"] = list(self.denied_words)
        return values

    def with_changes(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """A copy with runtime fields changed; raises ValueError naming a bad field or value."""
        unknown = sorted(set(changes) - set(RUNTIME_FIELDS))
        if unknown:
            raise ValueError(f"not adjustable at runtime: {', '.join(unknown)}")
        coerced = {name: _coerce(name, value) for name, value in changes.items()}
        return dataclasses.replace(self, **coerced)


_FLOATS = {"latency", "pending_seconds", "job_seconds", "cancel_seconds"}
_INTS = {"token_lifetime", "url_lifetime"}


def _coerce(name: str, value: Any) -> Any:
    """Turn JSON values into the field's type, refusing what would silently mean something else."""
    if name in _FLOATS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number")
        return float(value)
    if name in _INTS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number")
        return value
    if name == "rate_limit":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("rate_limit must be a whole number or null")
        return value
    if name == "rate_limit_counts_polls":
        if not isinstance(value, bool):
            raise ValueError("rate_limit_counts_polls must be true or false")
        return value
    if name == "denied_words":
        if isinstance(value, str) or not all(isinstance(w, str) for w in value):
            raise ValueError("denied_words must be a list of strings")
        return tuple(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value
