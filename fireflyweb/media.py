"""Where media is served from, as a browser sees it: the origins a Content-Security-Policy
must allow for images when media lives in an S3-compatible bucket.

The studio's media views answer with a redirect to a pre-signed URL on the object store, and a
browser checks the redirect's target against `img-src` too; naming exactly that host (not
`https:`) keeps the policy strict and also works for a plain-http endpoint (MinIO on-prem).
"""

import ipaddress
from urllib.parse import urlsplit


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def media_origins(
    *, bucket: str, endpoint_url: str = "", region: str = "", addressing_style: str = "auto"
) -> list[str]:
    """The origins pre-signed media URLs point at; empty when media is served by the studio."""
    if not bucket:
        return []
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        origins = [_origin(endpoint_url)]
        # botocore puts the bucket in the host name for "virtual" (and, on a DNS name, "auto"
        # may too): allow that spelling of the same endpoint as well.
        if addressing_style != "path" and parts.hostname and not _is_ip(parts.hostname):
            origins.append(f"{parts.scheme}://{bucket}.{parts.netloc}")
        return origins
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins
