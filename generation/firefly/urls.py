"""SSRF guard for URLs that come *from* responses (statusUrl, cancelUrl, outputs).

A compromised or spoofed response must not make a worker fetch
``http://169.254.169.254/`` or an internal admin page, nor send it our bearer
token. Such URLs are followed only when:

* the scheme is ``https`` and the host matches an allow-list glob on the
  default port, or
* the URL's scheme, host and port equal those of the configured ``api_base``
  or ``ims_url`` (how the local ``http://127.0.0.1:8765`` emulator is allowed).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from urllib.parse import quote, urljoin, urlsplit

from .config import FireflyConfig
from .errors import UnsafeURLError
from .redaction import loggable_url


def _reject(url: str, why: str) -> UnsafeURLError:
    return UnsafeURLError(f"Refusing to follow {loggable_url(url)}: {why}")


def check_url(url: str, config: FireflyConfig) -> str:
    """Return ``url`` unchanged when it may be followed; raise ``UnsafeURLError`` otherwise."""
    if not isinstance(url, str) or not url or len(url) > 4096:
        raise _reject(str(url)[:100], "not a URL")
    if any(ch in url for ch in "\r\n\t\x00 "):
        raise _reject(url, "control characters or spaces")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _reject(url, "malformed") from exc
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise _reject(url, "no host")
    if parts.username is not None or parts.password is not None:
        raise _reject(url, "credentials in URL")
    scheme = parts.scheme.lower()
    if (scheme, host, port) in config.configured_origins:
        return url
    if scheme != "https":
        raise _reject(url, "only https is allowed for hosts that are not configured")
    if port not in (None, 443):
        raise _reject(url, "non-default port")
    if not any(fnmatchcase(host, pattern.lower()) for pattern in config.allowed_hosts):
        raise _reject(url, f"host {host!r} is not in the allow-list")
    return url


def is_allowed_url(url: str, config: FireflyConfig) -> bool:
    """``True`` when :func:`check_url` would accept ``url``."""
    try:
        check_url(url, config)
    except UnsafeURLError:
        return False
    return True


def api_url(config: FireflyConfig, path: str) -> str:
    """``{api_base}{path}`` for a path we build ourselves."""
    return f"{config.api_base}{path}"


def job_url(config: FireflyConfig, kind: str, job_id: str) -> str:
    """The fallback ``{api_base}/v3/{status|cancel}/{jobId}`` for a bare job id."""
    # Job ids are URNs ("urn:ff:jobs:<cluster>:<uuid>"); keep colons, escape the rest
    # so an id can't smuggle "../" or "?" into the path.
    return api_url(config, f"/v3/{kind}/{quote(job_id, safe=':')}")


def resolve_link(config: FireflyConfig, href: str) -> str:
    """Resolve a possibly relative ``_links`` href against ``api_base`` and check it."""
    return check_url(urljoin(config.api_base + "/", href), config)
