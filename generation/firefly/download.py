"""Stream an output image to a file with a size cap, a deadline and type checks."""

from __future__ import annotations

import hashlib
import time
from typing import BinaryIO

import requests

from . import errors
from .facts import OUTPUT_CONTENT_TYPES
from .redaction import Redactor
from .types import DownloadedOutput

_CHUNK = 64 * 1024
_SNIFF = 12  # enough bytes for the RIFF....WEBP signature
_TAIL = 64  # where an image's end marker must be


def sniff_image_type(head: bytes) -> str | None:
    """The image MIME type from its magic bytes, for JPEG, PNG and WebP only."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def looks_complete(content_type: str, head: bytes, tail: bytes, size: int) -> bool:
    """Whether the image ends the way its format ends (catches truncated downloads).

    JPEG ends with the EOI marker and PNG with its IEND chunk (encoders may pad a
    few bytes after either); a WebP's RIFF header states the file's length.
    """
    if content_type == "image/jpeg":
        return b"\xff\xd9" in tail
    if content_type == "image/png":
        return b"IEND\xaeB`\x82" in tail
    if content_type == "image/webp":
        declared = int.from_bytes(head[4:8], "little") + 8
        return declared in (size, size - 1)  # RIFF pads odd-sized chunks by one byte
    return False


def stream_image(
    response: requests.Response,
    dest: BinaryIO,
    limit: int,
    deadline: float,
    redact: Redactor,
) -> DownloadedOutput:
    """Copy ``response``'s body into ``dest``; close the response whatever happens."""
    with response:
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in OUTPUT_CONTENT_TYPES:
            raise errors.InvalidOutputError(
                f"Output has content type {redact(ctype) or 'none'!r}, expected an image",
                status=response.status_code,
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise errors.OutputTooLarge(
                f"Output is {declared} bytes, limit {limit}", status=response.status_code
            )
        digest = hashlib.sha256()
        written = 0
        head = tail = b""
        try:
            for chunk in response.iter_content(_CHUNK):
                if time.monotonic() > deadline:
                    raise errors.FireflyTimeoutError("Output download exceeded its time budget")
                if len(head) < _SNIFF:
                    head += chunk[: _SNIFF - len(head)]
                    if len(head) >= _SNIFF:
                        _check_magic(head, ctype)
                # Counted on decoded bytes, so a compressed body can't sneak past the cap.
                if written + len(chunk) > limit:
                    raise errors.OutputTooLarge(f"Output exceeds the {limit}-byte limit")
                digest.update(chunk)
                dest.write(chunk)
                written += len(chunk)
                tail = (tail + chunk)[-_TAIL:]
        except requests.Timeout:
            raise errors.FireflyTimeoutError("Output download stalled") from None
        except requests.RequestException as exc:
            raise errors.FireflyConnectionError(
                f"Output download interrupted ({type(exc).__name__})"
            ) from None
        if len(head) < _SNIFF:
            _check_magic(head, ctype)
        if not looks_complete(ctype, head, tail, written):
            raise errors.InvalidOutputError(f"Output {ctype} image is truncated ({written} bytes)")
    return DownloadedOutput(content_type=ctype, bytes_written=written, sha256=digest.hexdigest())


def _check_magic(head: bytes, declared: str) -> None:
    actual = sniff_image_type(head)
    if actual != declared:
        raise errors.InvalidOutputError(
            f"Output bytes are {actual or 'not an image'} but were served as {declared}"
        )
