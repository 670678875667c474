"""Pre-signed output URLs shaped like S3's (``X-Amz-Date`` + ``X-Amz-Expires`` + signature).

The signature is an HMAC-SHA256 over the path and both times, with a key derived from the
emulator's seed; it is not real SigV4, only its shape, so clients that read ``X-Amz-Expires``
see what they would see on Adobe's URLs.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Verdict:
    """Outcome of checking a signed URL: ``ok``, or an S3 error code and message."""

    ok: bool
    code: str = ""
    message: str = ""
    expires_at: float | None = None


class UrlSigner:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _signature(self, path: str, date: str, expires: str) -> str:
        payload = f"{path}\n{date}\n{expires}".encode()
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()

    def query(self, path: str, issued_at: float, lifetime: int) -> str:
        """The query string that makes ``path`` downloadable for ``lifetime`` seconds."""
        moment = datetime.fromtimestamp(int(issued_at), tz=UTC)
        date = moment.strftime(_DATE_FORMAT)
        params = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": f"EMULATOR/{moment:%Y%m%d}/us-east-1/s3/aws4_request",
            "X-Amz-Date": date,
            "X-Amz-Expires": str(lifetime),
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Signature": self._signature(path, date, str(lifetime)),
        }
        return urlencode(params)

    def verify(self, path: str, query: dict[str, list[str]], now: float) -> Verdict:
        def one(name: str) -> str:
            values = query.get(name) or [""]
            return values[0]

        date, expires, signature = one("X-Amz-Date"), one("X-Amz-Expires"), one("X-Amz-Signature")
        if not (date and expires and signature):
            return Verdict(False, "AccessDenied", "Request is missing the signature parameters")
        expected = self._signature(path, date, expires)
        if not hmac.compare_digest(expected, signature):
            return Verdict(
                False,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        try:
            issued = datetime.strptime(date, _DATE_FORMAT).replace(tzinfo=UTC).timestamp()
            expires_at = issued + int(expires)
        except ValueError:
            return Verdict(False, "AuthorizationQueryParametersError", "Malformed X-Amz-Date")
        if now > expires_at:
            return Verdict(False, "AccessDenied", "Request has expired", expires_at)
        return Verdict(True, expires_at=expires_at)
