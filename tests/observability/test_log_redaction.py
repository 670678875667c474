"""Presigned URLs never reach a log line, even with urllib3 logging every URL at DEBUG."""

import io
import logging

import requests

from fireflyweb.observability import RedactQueryStrings, TracingFilter

SIGNATURE = "X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_urllib3_debug_lines_lose_their_query_strings(emulator):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TracingFilter())
    handler.addFilter(RedactQueryStrings())
    pool_logger = logging.getLogger("urllib3.connectionpool")
    previous = pool_logger.level
    pool_logger.addHandler(handler)
    pool_logger.setLevel(logging.DEBUG)
    try:
        url = f"{emulator.url}/outputs/1.png?X-Amz-Expires=3600&{SIGNATURE}"
        requests.get(url, timeout=5)
    finally:
        pool_logger.removeHandler(handler)
        pool_logger.setLevel(previous)
    written = stream.getvalue()
    assert "/outputs/1.png?…" in written  # the line is still there, and useful
    assert "X-Amz-Signature" not in written
    assert "X-Amz-Expires" not in written
