"""One async job's state machine.

In "auto" progression a job's status is a pure function of the clock: ``pending`` for
``pending_seconds``, then ``running`` with ``progress`` 0-100 for ``job_seconds``, then its fate
(``succeeded`` unless a fault or the content policy decided otherwise). A cancel request puts it
in ``cancel_pending`` for ``cancel_seconds``, then ``cancelled``. Driving a job by hand (the
control API) switches it to "manual": it then stays where it was put. Durations are captured at
submit, so changing the configuration does not rewrite running jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from .clock import iso
from .images import RenderSpec
from .validation import GenerateRequest

TERMINAL = frozenset({"succeeded", "failed", "cancelled", "timeout"})
#: Manual actions (``POST /_emulator/jobs/{id}/{action}``) and the status each one sets.
ACTIONS = {
    "start": "running",
    "progress": "running",
    "complete": "succeeded",
    "fail": "failed",
    "cancel": "cancelled",
    "timeout": "timeout",
}
_DEFAULT_ENDINGS = {
    "failed": ("runtime_error", "The job failed while generating images."),
    "cancelled": (None, "The job was cancelled by the service."),
    "timeout": ("job_timeout", "The job did not finish in time."),
}


class JobEndedError(ValueError):
    """A manual action was asked of a job that has already ended."""


@dataclass(frozen=True)
class Output:
    """One generated image: what it looks like and where it is served."""

    output_id: str
    seed: int
    spec: RenderSpec


@dataclass(frozen=True)
class Ending:
    """How a job ends: a terminal status, plus an error code and message unless it succeeded."""

    status: str = "succeeded"
    error_code: str | None = None
    message: str | None = None

    @classmethod
    def of(cls, status: str, error_code: str | None = None, message: str | None = None) -> Ending:
        default_code, default_message = _DEFAULT_ENDINGS.get(status, (None, None))
        return cls(status, error_code or default_code, message or default_message)


@dataclass
class Job:
    job_id: str
    request: GenerateRequest
    outputs: list[Output]
    content_class: str
    credential: str
    created_at: float
    pending_seconds: float
    run_seconds: float
    cancel_seconds: float
    ending: Ending = field(default_factory=Ending)
    manual: bool = False
    manual_status: str = "pending"
    manual_progress: int = 0
    manual_since: float = 0.0
    cancel_requested_at: float | None = None
    polls: int = 0

    def status_at(self, now: float) -> tuple[str, int | None, float | None]:
        """``(status, progress, since)``; ``since`` is when a terminal status was reached."""
        if self.cancel_requested_at is not None:
            done = self.cancel_requested_at + self.cancel_seconds
            return ("cancelled", None, done) if now >= done else ("cancel_pending", None, None)
        if self.manual:
            status = self.manual_status
            progress = self.manual_progress if status == "running" else None
            return status, progress, self.manual_since if status in TERMINAL else None
        started = self.created_at + self.pending_seconds
        if now < started:
            return "pending", None, None
        finished = started + self.run_seconds
        if now < finished:
            return "running", int(100 * (now - started) / self.run_seconds), None
        return self.ending.status, None, finished

    def drive(self, action: str, now: float, **details: Any) -> None:
        """Apply a manual action; ValueError if unknown, JobEndedError if the job has ended."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; use {', '.join(ACTIONS)}")
        status, _, _ = self.status_at(now)
        if status in TERMINAL or status == "cancel_pending":
            raise JobEndedError(f"job is already {status}")
        self.manual, self.manual_since = True, now
        self.manual_status = ACTIONS[action]
        self.manual_progress = _progress(details.get("progress", 0 if action == "start" else 50))
        if self.manual_status in _DEFAULT_ENDINGS:
            self.ending = Ending.of(
                self.manual_status, details.get("error_code"), details.get("message")
            )
        elif self.manual_status == "succeeded":
            self.ending = Ending()

    def body(self, now: float, url_for: Callable[[Output, float], str]) -> dict[str, Any]:
        """The ``GET /v3/status/{jobId}`` body (``JobResponse``)."""
        status, progress, since = self.status_at(now)
        body: dict[str, Any] = {"status": status, "jobId": self.job_id}
        if status == "running":
            body["progress"] = progress
        elif status == "succeeded":
            body["result"] = self.result(url_for, cast(float, since))  # finished: has a time
        elif status in _DEFAULT_ENDINGS:
            if self.cancel_requested_at is not None:
                ending = Ending("cancelled", None, "The job was cancelled on request.")
            else:
                ending = self.ending
            if ending.error_code:
                body["error_code"] = ending.error_code
            body["message"] = ending.message
        return body

    def result(self, url_for: Callable[[Output, float], str], issued_at: float) -> dict[str, Any]:
        """``GenerateImagesResponseV3``; URLs are signed as of the moment the job finished."""
        return result_body(self.request, self.outputs, self.content_class, url_for, issued_at)

    def describe(self, now: float) -> dict[str, Any]:
        """What ``GET /_emulator/jobs`` shows."""
        status, progress, _ = self.status_at(now)
        return {
            "jobId": self.job_id,
            "status": status,
            "progress": progress,
            "manual": self.manual,
            "ending": self.ending.status,
            "createdAt": iso(self.created_at),
            "polls": self.polls,
            "credential": self.credential,
            "modelVersion": self.request.model_version,
            "prompt": self.request.prompt,
            "size": {"width": self.request.size[0], "height": self.request.size[1]},
            "presets": list(self.request.presets),
            "customModelId": self.request.custom_model_id,
            "outputs": [{"id": o.output_id, "seed": o.seed} for o in self.outputs],
        }


def result_body(
    request: GenerateRequest,
    outputs: list[Output],
    content_class: str,
    url_for: Callable[[Output, float], str],
    issued_at: float,
) -> dict[str, Any]:
    """The generation result (also the removed synchronous endpoint's whole response)."""
    width, height = request.size
    return {
        "size": {"width": width, "height": height},
        "outputs": [
            {"seed": output.seed, "image": {"url": url_for(output, issued_at)}}
            for output in outputs
        ],
        "contentClass": content_class,
        "promptHasDeniedWords": False,
        "promptHasBlockedArtists": False,
    }


def _progress(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError("progress must be a whole number 0-100")
    return value
