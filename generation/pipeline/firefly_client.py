"""Django glue for the Firefly client: one `FireflyClient` built from settings.

The IMS token lives in Django's cache, so every web and worker process shares one token. When
`FIREFLY_API_BASE` points at the local emulator its origin is trusted by the client itself (the
configured origins are always allowed), so status URLs and output links on the emulator's host
work without extra settings; `FIREFLY_EXTRA_ALLOWED_HOSTS` adds more host patterns.

Workers never sleep, and retries happen at one layer only: the client's own retry loop is off
(`max_retries=0`), so a 429, a 5xx or a timeout comes straight back as an error and the task
re-schedules itself with a countdown (honouring `retry-after`). The one retry the client still
makes is refreshing an expired token once after a 401.
"""

from __future__ import annotations

import logging
import threading

import requests
from django.conf import settings
from django.core.cache import cache

from generation import metrics, tracing
from generation.firefly import FireflyClient, FireflyConfig, SubmittedJob, errors
from generation.firefly.config import DEFAULT_ALLOWED_HOSTS
from generation.models import Generation

logger = logging.getLogger(__name__)

MAX_RETRIES = 0

_local = threading.local()


def firefly_config() -> FireflyConfig:
    """The client configuration from the FIREFLY_* settings (read on every call)."""
    return FireflyConfig(
        client_id=settings.FIREFLY_CLIENT_ID,
        client_secret=settings.FIREFLY_CLIENT_SECRET,
        scopes=settings.FIREFLY_SCOPES,
        ims_url=settings.FIREFLY_IMS_URL,
        api_base=settings.FIREFLY_API_BASE,
        connect_timeout=settings.FIREFLY_CONNECT_TIMEOUT,
        read_timeout=settings.FIREFLY_READ_TIMEOUT,
        max_download_bytes=settings.FIREFLY_MAX_DOWNLOAD_BYTES,
        allowed_hosts=(*DEFAULT_ALLOWED_HOSTS, *settings.FIREFLY_EXTRA_ALLOWED_HOSTS),
        max_retries=MAX_RETRIES,
    )


def get_client() -> FireflyClient:
    """A client for the current settings; one per thread, rebuilt when the settings change."""
    config = firefly_config()
    client = getattr(_local, "client", None)
    if client is None or client.config != config:
        if client is not None:
            client.close()
        # A fresh session per client: its response hook counts Firefly's answers for /metrics.
        session = requests.Session()
        session.hooks["response"].append(metrics.count_firefly_response)
        client = FireflyClient(
            config, token_cache=cache, session=session, request_ids=tracing.firefly_request_id
        )
        _local.client = client
    return client


def submitted_job(generation: Generation) -> SubmittedJob:
    """The Firefly job `generation` was submitted as (its id and URLs)."""
    return SubmittedJob(generation.firefly_job_id, generation.status_url, generation.cancel_url)


def best_effort_cancel(job: SubmittedJob) -> None:
    """Ask Firefly to cancel `job`; a refusal or an error is logged and ignored."""
    try:
        get_client().cancel_job(job)
    except errors.FireflyError as err:
        logger.info("cancelling job %s failed (ignored): %s", job.job_id, err)
