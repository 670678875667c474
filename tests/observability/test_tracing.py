"""A generation's story greps by one id: the web request's id travels into the Celery tasks it
enqueues, onto every log line they write and into Firefly's ``x-request-id``."""

import json
import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from fireflyweb.observability import TracingFilter, logging_config
from generation import tracing
from generation.models import Generation
from tests.pipeline.support import create_generation

REQUEST_ID = "campaign-team-request-0001"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(TracingFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def log_records():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(previous)


def test_every_response_names_its_request_id(client, db):
    first = client.get(reverse("login"))
    assert len(first["X-Request-ID"]) == 32
    assert client.get(reverse("login"))["X-Request-ID"] != first["X-Request-ID"]
    echoed = client.get(reverse("login"), HTTP_X_REQUEST_ID=REQUEST_ID)
    assert echoed["X-Request-ID"] == REQUEST_ID


@pytest.mark.parametrize("sent", ["short", "a b c d e f g h", "x" * 65, "evil\nline-injection"])
def test_an_unsafe_incoming_request_id_is_replaced(client, db, sent):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_request_id_reaches_the_worker_its_logs_and_firefly(
    emulator, celery_worker, wait_for, spring_launch, alice, log_records
):
    with tracing.bound(request=REQUEST_ID):
        generation = create_generation(spring_launch, alice, num_variations=1)

    def finished():
        status = Generation.objects.values_list("status", flat=True).get(pk=generation.pk)
        return status in Generation.TERMINAL_STATUSES

    wait_for(finished, timeout=30)
    # (The token request and the presigned download carry no API headers at all.)
    sent_to_firefly = [
        r["headers"]["x-request-id"]
        for r in emulator.state.requests()
        if "x-request-id" in r["headers"]
    ]
    generate_calls = [
        r["headers"].get("x-request-id", "") for r in emulator.state.requests("generate")
    ]
    assert generate_calls
    assert all(h.startswith(REQUEST_ID + "-") for h in generate_calls)
    assert len(set(sent_to_firefly)) == len(sent_to_firefly)  # still unique per call
    story = [r for r in log_records if r.job == f"generation:{generation.pk}"]
    assert story, "the worker's log lines name the generation"
    assert all(r.request_id == REQUEST_ID for r in story)
    # The same client's session counts its responses for /metrics.
    assert (cache.get("metrics:firefly-responses:2xx") or 0) >= len(generate_calls)


def test_production_logs_are_one_json_object_per_line(capsys):
    config = logging_config(level="INFO", json_lines=True)
    logging.config.dictConfig(config)
    try:
        with tracing.bound(request=REQUEST_ID, job_name="generation:7"):
            logging.getLogger("generation.pipeline.poll").info("polled %s", "job-1")
        line = capsys.readouterr().err.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["message"] == "polled job-1"
        assert record["request_id"] == REQUEST_ID
        assert record["job"] == "generation:7"
        assert record["level"] == "INFO"
        assert record["logger"] == "generation.pipeline.poll"
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)
