"""Everything the emulator remembers, behind one lock, and the controls tests use in-process.

``EmulatorState`` is what ``EmulatorServer.state`` exposes; the control API
(``/_emulator/...``) calls the same methods, so in-process and out-of-process tests have the
same powers.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import Any

from .auth import DEFAULT_SCOPES, TokenStore
from .catalogue import SEED_MODELS, CustomModel
from .clock import Clock, iso
from .config import EmulatorConfig
from .faults import FaultEngine, FaultRule
from .images import ImageCache, RenderSpec, detect_content_class
from .jobs import Ending, Job, Output
from .messages import Request, Response
from .ratelimit import SlidingWindowLimiter
from .recording import Recorder
from .signing import UrlSigner
from .validation import GenerateRequest

#: The cluster part of job ids (``urn:ff:jobs:<cluster>:<uuid>``).
CLUSTER = "emu851211"
UPLOAD_LIFETIME = 7 * 24 * 3600


@dataclass(frozen=True)
class Upload:
    upload_id: str
    mime_type: str
    size: int
    created_at: float


class EmulatorState:
    """Jobs, outputs, uploads, tokens, faults, counters and recorded requests."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._initial = config
        self._lock = threading.RLock()
        self.clock = Clock()
        self.tokens = TokenStore(self.clock)
        self.limiter = SlidingWindowLimiter()
        self.images = ImageCache(config.image_cache_bytes)
        key = hashlib.sha256(f"firefly-emulator-url-key:{config.seed}".encode()).digest()
        self.signer = UrlSigner(key)
        # Separate generators, so that one more job in a test does not change fault outcomes.
        self._ids = Random()
        self._fault_rng = Random()
        self.faults = FaultEngine(self._fault_rng)
        self.recorder = Recorder(config.record_limit)
        self._clear(config)

    def _clear(self, config: EmulatorConfig) -> None:
        with self._lock:
            self._config = config
            self._ids.seed(f"ids:{config.seed}")
            self._fault_rng.seed(f"faults:{config.seed}")
            self.faults.clear()
            self.faults.add(list(config.faults))
            self.limiter.clear()
            self.clock.reset()
            self._jobs: dict[str, Job] = {}
            self._outputs: dict[str, Output] = {}
            self._uploads: dict[str, Upload] = {}
            self._models: list[CustomModel] = list(SEED_MODELS)
            self._job_counter = 0
            self.recorder.reset(config.record_limit)

    # --- configuration -----------------------------------------------------------------------

    @property
    def config(self) -> EmulatorConfig:
        """The configuration in force now (runtime changes included)."""
        return self._config

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change runtime settings (see ``config.RUNTIME_FIELDS``); ValueError on a bad one."""
        with self._lock:
            self._config = self._config.with_changes(changes)
            return self._config

    def reset(self) -> None:
        """Back to the start: initial config and faults, no jobs, counters or records.

        Issued tokens survive, so a client holding one is not surprised by a 401.
        """
        self.images.clear()
        self._clear(self._initial)

    def freeze_time(self) -> None:
        """Stop the emulator's clock from following real time (``advance_time`` still moves it)."""
        self.clock.freeze()

    def advance_time(self, seconds: float) -> None:
        """Move the emulator's clock forward (jobs progress, tokens and URLs expire)."""
        self.clock.advance(seconds)

    # --- faults ------------------------------------------------------------------------------

    def add_faults(self, *rules: FaultRule | dict[str, Any]) -> list[dict[str, Any]]:
        """Append rules (dicts in the control-API format or FaultRule); returns all rules."""
        self.faults.add(list(rules))
        return self.faults.rules()

    def set_faults(self, rules: list[FaultRule | dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace every rule."""
        with self._lock:
            self.faults.clear()
            self.faults.add(rules)
        return self.faults.rules()

    def clear_faults(self) -> None:
        """Remove every rule (an empty list turns faults off)."""
        self.faults.clear()

    # --- tokens ------------------------------------------------------------------------------

    def issue_token(self, client_id: str | None = None, scope: str = DEFAULT_SCOPES) -> str:
        """An access token as if fetched from the IMS endpoint (not counted as a request)."""
        client_id = client_id or self._config.client_id
        if client_id not in self._config.credentials:
            raise ValueError(f"unknown client id {client_id!r}")
        return self.tokens.issue(client_id, scope, self._config.token_lifetime).value

    def expire_tokens(self) -> int:
        """Expire every issued token; returns how many were live."""
        return self.tokens.expire_all()

    # --- jobs --------------------------------------------------------------------------------

    def create_job(
        self, request: GenerateRequest, credential: str, mime_type: str, ending: Ending
    ) -> Job:
        with self._lock:
            self._job_counter += 1
            config = self._config
            job_id = f"urn:ff:jobs:{CLUSTER}:{self._uuid()}"
            content_class = self._content_class(request)
            job = Job(
                job_id=job_id,
                request=request,
                outputs=self._make_outputs(request, mime_type, content_class),
                content_class=content_class,
                credential=credential,
                created_at=self.clock.now(),
                pending_seconds=config.pending_seconds,
                run_seconds=config.job_seconds,
                cancel_seconds=config.cancel_seconds,
                ending=ending,
                manual=config.progression == "manual",
            )
            self._jobs[job_id] = job
        self.recorder.note("jobs_created")
        return job

    def create_outputs(self, request: GenerateRequest, mime_type: str) -> tuple[list[Output], str]:
        """Outputs with no job around them (the removed synchronous endpoint)."""
        content_class = self._content_class(request)
        with self._lock:
            self._job_counter += 1
            return self._make_outputs(request, mime_type, content_class), content_class

    def _make_outputs(
        self, request: GenerateRequest, mime_type: str, content_class: str
    ) -> list[Output]:
        seeds = request.seeds or self._default_seeds(request.num_variations)
        outputs = []
        for seed in seeds:
            spec = RenderSpec(
                prompt=request.prompt,
                seed=seed,
                model_version=request.model_version,
                size=request.size,
                presets=request.presets,
                content_class=content_class,
                custom_model_id=request.custom_model_id,
                mime_type=mime_type,
            )
            output = Output(self._uuid(), seed, spec)
            self._outputs[output.output_id] = output
            outputs.append(output)
        return outputs

    def _default_seeds(self, count: int) -> list[int]:
        """Deterministic seeds from the emulator seed and the job counter."""
        base = f"{self._config.seed}:{self._job_counter}"
        return [
            int.from_bytes(hashlib.sha256(f"{base}:{i}".encode()).digest()[:4], "big") % 2**31
            for i in range(count)
        ]

    @staticmethod
    def _content_class(request: GenerateRequest) -> str:
        return request.content_class or detect_content_class(request.prompt, request.presets)

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def find_job(self, job_id: str) -> Job | None:
        """The job with this id (the full URN), if any."""
        with self._lock:
            return self._jobs.get(job_id)

    def request_cancel(self, job: Job) -> str:
        """Cancel ``job`` if it is still pending or running; returns the status it was in."""
        with self._lock:
            now = self.clock.now()
            status, _, _ = job.status_at(now)
            if status in ("pending", "running"):
                job.cancel_requested_at = now
            return status

    def poll(self, job: Job, url_for: Callable[[Output, float], str]) -> dict[str, Any]:
        """Count a status poll of ``job`` and return its status body, both under the lock."""
        with self._lock:
            job.polls += 1
            return job.body(self.clock.now(), url_for)

    def find_output(self, output_id: str) -> Output | None:
        """The output served at ``/images/<output_id>``, if any."""
        with self._lock:
            return self._outputs.get(output_id)

    def jobs(self) -> list[dict[str, Any]]:
        """Every job as the control API lists it, oldest first."""
        now = self.clock.now()
        with self._lock:
            return [job.describe(now) for job in self._jobs.values()]

    def job(self, job_id: str) -> dict[str, Any]:
        """One job as the control API shows it; KeyError when unknown."""
        job = self.find_job(job_id)
        if job is None:
            raise KeyError(job_id)
        return job.describe(self.clock.now())

    def drive_job(self, job_id: str, action: str, **details: Any) -> dict[str, Any]:
        """Move a job by hand: start, progress, complete, fail, cancel or timeout.

        ``details`` may carry ``progress`` (start/progress), ``error_code`` and ``message``
        (fail/cancel/timeout). KeyError for an unknown job, ValueError for a bad action.
        """
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise KeyError(job_id)
            job.drive(action, self.clock.now(), **details)
            return job.describe(self.clock.now())

    def complete_job(self, job_id: str) -> dict[str, Any]:
        """End a job ``succeeded`` now."""
        return self.drive_job(job_id, "complete")

    def fail_job(
        self, job_id: str, error_code: str | None = None, message: str | None = None
    ) -> dict[str, Any]:
        """End a job ``failed`` now (default code ``runtime_error``)."""
        return self.drive_job(job_id, "fail", error_code=error_code, message=message)

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        """End a job ``cancelled`` now, as if the service cancelled it."""
        return self.drive_job(job_id, "cancel")

    def timeout_job(self, job_id: str) -> dict[str, Any]:
        """End a job ``timeout`` now."""
        return self.drive_job(job_id, "timeout")

    # --- uploads and custom models -----------------------------------------------------------

    def add_upload(self, mime_type: str, size: int) -> Upload:
        """Remember an accepted upload (its bytes are not kept)."""
        with self._lock:
            upload = Upload(self._uuid(), mime_type, size, self.clock.now())
            self._uploads[upload.upload_id] = upload
            return upload

    def upload_exists(self, upload_id: str) -> bool:
        """Whether ``upload_id`` names an upload younger than seven days."""
        with self._lock:
            upload = self._uploads.get(upload_id)
        return upload is not None and self.clock.now() - upload.created_at < UPLOAD_LIFETIME

    def custom_models(self) -> list[CustomModel]:
        """The whole catalogue, whatever the published or training state."""
        with self._lock:
            return list(self._models)

    def find_model(self, asset_id: str) -> CustomModel | None:
        """The catalogue entry with this ``assetId``, if any."""
        return next((m for m in self.custom_models() if m.asset_id == asset_id), None)

    def add_custom_model(self, model: CustomModel | dict[str, Any]) -> CustomModel:
        """Add a model to the catalogue (a CustomModel, or its constructor's keywords)."""
        if isinstance(model, dict):
            model = CustomModel(**model)
        with self._lock:
            self._models = [m for m in self._models if m.asset_id != model.asset_id] + [model]
        return model

    # --- counting and recording --------------------------------------------------------------

    def begin(self, request: Request) -> dict[str, Any]:
        """Count and record an incoming API request; returns its record for ``finish``."""
        return self.recorder.begin(request, iso(self.clock.now()))

    def finish(self, record: dict[str, Any], response: Response, fault: str | None) -> None:
        """Count the answer to a request ``begin`` recorded."""
        self.recorder.finish(record, response, fault)

    def note(self, event: str) -> None:
        """Count an event (``tokens_issued``, ``uploads``)."""
        self.recorder.note(event)

    def counters(self) -> dict[str, Any]:
        """What arrived and what went back.

        ``received`` counts requests per operation (``generate`` = submissions, ``status`` =
        polls, ``cancel``, ``download``, ``token``, ...); ``responses`` counts answers per
        operation and status ("reset"/"empty" for dropped connections); ``status_codes`` the
        same over all operations; ``faults`` firings per kind; plus ``jobs_created``,
        ``tokens_issued``, ``uploads`` and ``images_rendered``.
        """
        return {**self.recorder.counters(), "images_rendered": self.images.renders}

    def count(self, operation: str, status: int | str | None = None) -> int:
        """Requests received for ``operation``, or answered with ``status`` when given."""
        return self.recorder.count(operation, status)

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        """Recorded API requests (secrets redacted), oldest first."""
        return self.recorder.requests(operation)

    def clear_requests(self) -> None:
        """Forget the recorded requests (counters stay)."""
        self.recorder.clear_requests()
