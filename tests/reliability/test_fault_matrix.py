"""The fault matrix: one row per way Firefly (or the network to it) misbehaves.

Each row injects faults into the emulator, drives one generation through the real pipeline
services (submit, poll, ingest) step by step until it is terminal, and asserts the terminal
state, the exact sentence the user sees, how many submissions reached Firefly, and that nothing
was lost or duplicated (`assert_nothing_lost_or_doubled`: one Firefly job at most, one image
row per output, files exactly those the rows name).

Countdowns are skipped (the driver makes every step due at once) and the emulator's clock is
advanced instead of sleeping, so the whole matrix runs in a few seconds. Results feed the table
in docs/reliability.md (see tests/reliability/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from generation.models import Generation
from generation.pipeline.generations import generation_create
from generation.pipeline.outcomes import Failure, Uncertain
from generation.pipeline.poll import generation_poll
from generation.pipeline.submit import generation_submit
from tests.reliability.support import assert_nothing_lost_or_doubled

pytestmark = pytest.mark.django_db

S = Generation.Status
OK_ = ""  # no message on success


@dataclass(frozen=True)
class Row:
    id: str
    where: str
    fault: str
    status: str
    code: str
    message: str
    submits: int  # POSTs that reached Firefly
    rules: tuple[dict, ...] = ()
    after_submit: tuple[dict, ...] = ()  # faults switched on once the job exists
    setup: Callable | None = None
    before_poll: Callable | None = None  # run before each poll (e.g. a deadline passing)
    num_variations: int = 2
    config: dict = field(default_factory=dict)


def _unreachable_api(settings, emulator):
    settings.FIREFLY_API_BASE = "http://127.0.0.1:9"  # discard port: connection refused
    settings.FIREFLY_MAX_ATTEMPTS = 3


def _small_download_cap(settings, emulator):
    settings.FIREFLY_MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024


def _short_read_timeout(settings, emulator):
    settings.FIREFLY_READ_TIMEOUT = 0.5


def _deadline_passes(generation):
    if generation.poll_count >= 3:
        Generation.objects.filter(pk=generation.pk).update(
            deadline_at=timezone.now() - timedelta(seconds=1)
        )


def _fail_job_mode(settings, emulator):
    emulator.state.configure(content_policy_mode="fail_job")


def _three_attempts(settings, emulator):
    settings.FIREFLY_MAX_ATTEMPTS = 3


def _uncertain(what: str, **details) -> str:
    """The whole `submit_uncertain` sentence: what happened, then what Retry costs."""
    return Failure.SUBMIT_UNCERTAIN.message.format(what=what.format(**details))


ROWS = [
    # --- rate limited: retried automatically, honouring retry-after ---------------------------
    Row(
        "429-submit",
        "submit",
        "429 + retry-after: 1 (twice)",
        S.SUCCEEDED,
        "",
        OK_,
        3,
        rules=({"match": "generate", "kind": "rate_limited", "retry_after": 1, "times": 2},),
    ),
    Row(
        "429-poll",
        "poll",
        "429 + retry-after: 1 (3 times)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "rate_limited", "retry_after": 1, "times": 3},),
    ),
    Row(
        "429-download",
        "download",
        "429 + retry-after: 1",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        rules=({"match": "download", "kind": "rate_limited", "retry_after": 1, "times": 1},),
    ),
    # --- 5xx bursts ----------------------------------------------------------------------------
    Row(
        "500-submit",
        "submit",
        "500 after the request was sent",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.SERVER_ERROR, status=500),
        1,
        rules=({"match": "generate", "kind": "error", "status": 500, "times": 3},),
    ),
    Row(
        "502-submit",
        "submit",
        "502 after the request was sent",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.BAD_GATEWAY, status=502),
        1,
        rules=({"match": "generate", "kind": "error", "status": 502, "times": 3},),
    ),
    Row(
        "504-submit",
        "submit",
        "504 after the request was sent",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.GATEWAY_TIMEOUT, status=504),
        1,
        rules=({"match": "generate", "kind": "error", "status": 504, "times": 3},),
    ),
    Row(
        "503-submit",
        "submit",
        "503 burst (3): not processed, queued again with backoff",
        S.SUCCEEDED,
        "",
        OK_,
        4,
        rules=({"match": "generate", "kind": "error", "status": 503, "times": 3},),
    ),
    Row(
        "503-submit-always",
        "submit",
        "503 on every attempt",
        S.FAILED,
        "firefly_busy",
        Failure.FIREFLY_BUSY.message,
        3,
        setup=_three_attempts,
        rules=({"match": "generate", "kind": "error", "status": 503},),
    ),
    Row(
        "500-poll",
        "poll",
        "500 burst (4)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "error", "status": 500, "times": 4},),
    ),
    Row(
        "502-poll",
        "poll",
        "502 burst (4)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "error", "status": 502, "times": 4},),
    ),
    Row(
        "503-poll",
        "poll",
        "503 burst (4)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "error", "status": 503, "times": 4},),
    ),
    Row(
        "503-download",
        "download",
        "503 burst (3)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        rules=({"match": "download", "kind": "error", "status": 503, "times": 3},),
    ),
    # --- slower than the client's read timeout (0.5 s here) -----------------------------------
    Row(
        "timeout-submit",
        "submit",
        "answer after 1 s > read timeout",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.READ_TIMEOUT, seconds=0.5),
        1,
        setup=_short_read_timeout,
        rules=({"match": "generate", "kind": "delay", "seconds": 1, "times": 1},),
    ),
    Row(
        "timeout-poll",
        "poll",
        "answer after 1 s > read timeout (twice)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        setup=_short_read_timeout,
        after_submit=({"match": "status", "kind": "delay", "seconds": 1, "times": 2},),
    ),
    Row(
        "timeout-download",
        "download",
        "answer after 1 s > read timeout",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        setup=_short_read_timeout,
        rules=({"match": "download", "kind": "delay", "seconds": 1, "times": 1},),
    ),
    # --- the connection drops ------------------------------------------------------------------
    Row(
        "reset-submit",
        "submit",
        "connection reset",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.CONNECTION_DROPPED),
        1,
        rules=({"match": "generate", "kind": "reset", "times": 1},),
    ),
    Row(
        "reset-poll",
        "poll",
        "connection reset (3)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "reset", "times": 3},),
    ),
    Row(
        "reset-download",
        "download",
        "connection reset",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        rules=({"match": "download", "kind": "reset", "times": 1},),
    ),
    Row(
        "empty-submit",
        "submit",
        "empty reply",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.CONNECTION_DROPPED),
        1,
        rules=({"match": "generate", "kind": "empty_reply", "times": 1},),
    ),
    Row(
        "empty-poll",
        "poll",
        "empty reply (3)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "empty_reply", "times": 3},),
    ),
    Row(
        "empty-download",
        "download",
        "empty reply",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        rules=({"match": "download", "kind": "empty_reply", "times": 1},),
    ),
    # --- not the JSON we expect -----------------------------------------------------------------
    Row(
        "html-submit",
        "submit",
        "a proxy's 502 HTML page",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.BAD_GATEWAY, status=502),
        1,
        rules=({"match": "generate", "kind": "html", "times": 1},),
    ),
    Row(
        "html-poll",
        "poll",
        "a proxy's 502 HTML page (3)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "html", "times": 3},),
    ),
    Row(
        "truncated-json-submit",
        "submit",
        "202 with truncated JSON (job created)",
        S.FAILED,
        "submit_uncertain",
        _uncertain(Uncertain.ANSWER_BROKEN),
        1,
        rules=({"match": "generate", "kind": "malformed_json", "times": 1},),
    ),
    Row(
        "truncated-json-poll",
        "poll",
        "truncated JSON (3)",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "malformed_json", "times": 3},),
    ),
    # --- credentials and quota ------------------------------------------------------------------
    Row(
        "token-expiry-submit",
        "submit",
        "token expires (401), refreshed once",
        S.SUCCEEDED,
        "",
        OK_,
        2,
        rules=({"match": "generate", "kind": "token_expired", "times": 1},),
    ),
    Row(
        "token-expiry-poll",
        "poll",
        "token expires mid-generation",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        after_submit=({"match": "status", "kind": "token_expired", "times": 1},),
    ),
    Row(
        "quota-submit",
        "submit",
        "403 access_error quota_exhausted",
        S.FAILED,
        "quota_exhausted",
        "",
        1,
        rules=({"match": "generate", "kind": "access_error", "reason": "quota_exhausted"},),
    ),
    Row(
        "quota-poll",
        "poll",
        "403 quota_exhausted while polling",
        S.FAILED,
        "quota_exhausted",
        "",
        1,
        after_submit=({"match": "status", "kind": "access_error"},),
    ),
    # --- content policy and the job's own end --------------------------------------------------
    Row(
        "policy-submit",
        "submit",
        "451 prompt_unsafe",
        S.FAILED,
        "content_policy",
        Failure.CONTENT_POLICY.message,
        1,
        rules=({"match": "generate", "kind": "content_policy"},),
    ),
    Row(
        "policy-job",
        "poll",
        "job failed with prompt_unsafe",
        S.FAILED,
        "content_policy",
        Failure.CONTENT_POLICY.message,
        1,
        setup=_fail_job_mode,
        rules=({"match": "generate", "kind": "content_policy", "mode": "fail_job"},),
    ),
    Row(
        "job-failed",
        "poll",
        "job failed (runtime_error)",
        S.FAILED,
        "job_failed",
        Failure.JOB_FAILED.message,
        1,
        rules=({"match": "generate", "kind": "job_failed"},),
    ),
    Row(
        "job-cancelled",
        "poll",
        "job cancelled at Firefly",
        S.CANCELLED,
        "cancelled",
        Failure.CANCELLED_AT_FIREFLY.message,
        1,
        rules=({"match": "generate", "kind": "job_cancelled"},),
    ),
    Row(
        "job-timeout",
        "poll",
        "job timeout at Firefly",
        S.FAILED,
        "job_timeout",
        Failure.JOB_TIMEOUT.message,
        1,
        rules=({"match": "generate", "kind": "job_timeout"},),
    ),
    Row(
        "job-lost",
        "poll",
        "404 unknown job id",
        S.FAILED,
        "job_lost",
        Failure.JOB_LOST.message,
        1,
        after_submit=({"match": "status", "kind": "error", "status": 404},),
    ),
    # --- the outputs ----------------------------------------------------------------------------
    Row(
        "url-expired-once",
        "download",
        "403 Request has expired, once",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        rules=({"match": "download", "kind": "expired_url", "times": 1},),
    ),
    Row(
        "url-expired",
        "download",
        "403 Request has expired, always",
        S.FAILED,
        "output_expired",
        Failure.OUTPUT_EXPIRED.message,
        1,
        rules=({"match": "download", "kind": "expired_url"},),
    ),
    Row(
        "truncated-image",
        "download",
        "image cut in half (consistent length)",
        S.FAILED,
        "output_invalid",
        "",
        1,
        rules=({"match": "download", "kind": "corrupt_output", "mode": "truncate"},),
    ),
    Row(
        "garbled-image",
        "download",
        "image bytes flipped",
        S.FAILED,
        "output_invalid",
        "",
        1,
        rules=({"match": "download", "kind": "corrupt_output", "mode": "garble"},),
    ),
    Row(
        "short-body",
        "download",
        "body shorter than Content-Length, always",
        S.FAILED,
        "download_failed",
        Failure.DOWNLOAD_FAILED.message,
        1,
        rules=({"match": "download", "kind": "corrupt_output", "mode": "short_body"},),
    ),
    Row(
        "short-body-once",
        "download",
        "body shorter than Content-Length, once",
        S.SUCCEEDED,
        "",
        OK_,
        1,
        rules=({"match": "download", "kind": "corrupt_output", "mode": "short_body", "times": 1},),
    ),
    Row(
        "oversize",
        "download",
        "3 MiB output, cap 2 MiB",
        S.FAILED,
        "output_invalid",
        "",
        1,
        setup=_small_download_cap,
        rules=({"match": "download", "kind": "oversize_output", "size_bytes": 3 * 1024 * 1024},),
    ),
    # --- Firefly unreachable ---------------------------------------------------------------------
    Row(
        "unreachable-submit",
        "submit",
        "connection refused, every attempt",
        S.FAILED,
        "firefly_busy",
        Failure.FIREFLY_BUSY.message,
        0,
        setup=_unreachable_api,
    ),
    Row(
        "unreachable-past-deadline",
        "poll",
        "every call reset until the deadline passes",
        S.FAILED,
        "deadline_exceeded",
        "Adobe Firefly took too long",
        1,
        after_submit=({"match": {"path": "/v3/*"}, "kind": "reset"},),
        before_poll=_deadline_passes,
    ),
]

#: Codes whose sentence comes from the error class (checked to be non-empty and plain).
CLASS_MESSAGES = {"quota_exhausted", "output_invalid"}


def drive(generation: Generation, emulator, row: Row, *, max_steps: int = 60) -> Generation:
    """Run submit / poll steps, each at once, until the generation is terminal."""
    armed = False
    for _ in range(max_steps):
        generation = Generation.objects.get(pk=generation.pk)
        if generation.is_terminal:
            return generation
        if not armed and generation.firefly_job_id and row.after_submit:
            emulator.state.add_faults(*row.after_submit)
            armed = True
        Generation.objects.filter(pk=generation.pk).update(next_poll_at=timezone.now())
        if generation.status == S.QUEUED:
            generation_submit(generation_id=generation.pk)
        else:
            if row.before_poll:
                row.before_poll(generation)
            emulator.state.advance_time(1.0)  # jobs progress without waiting
            generation_poll(generation_id=generation.pk)
    raise AssertionError(f"not terminal after {max_steps} steps: {generation.status}")


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_fault(row, emulator, settings, spring_launch, alice, matrix_row):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0  # pacing has tests of its own
    emulator.state.configure(pending_seconds=0.1, job_seconds=0.5)
    if row.setup:
        row.setup(settings, emulator)
    emulator.state.add_faults(*row.rules)
    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt=f"a lighthouse at dawn ({row.id})",
        model_version="image3",
        width=1024,
        height=1024,
        num_variations=row.num_variations,
    )

    generation = drive(generation, emulator, row)

    assert (generation.status, generation.error_code) == (row.status, row.code), (
        generation.error_message
    )
    if row.message:
        assert row.message in generation.error_message
    elif row.code in CLASS_MESSAGES:
        assert generation.error_message
        assert "Traceback" not in generation.error_message
        assert "http" not in generation.error_message.lower()
    assert emulator.state.count("generate") == row.submits
    allowed = () if row.status == S.SUCCEEDED else (row.code,)
    assert_nothing_lost_or_doubled(emulator, [generation], allowed_failures=allowed)
    matrix_row(
        where=row.where,
        fault=row.fault,
        status=generation.status,
        code=generation.error_code,
        message=generation.error_message,
        submits=emulator.state.count("generate"),
        jobs=emulator.state.counters().get("jobs_created", 0),
        images=generation.images.count(),
        submit_attempts=generation.submit_attempts,
        polls=generation.poll_count,
    )
