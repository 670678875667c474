"""/metrics: what a dashboard scrapes, read from the database and the shared cache, behind a
bearer token."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from generation.models import Generation
from tests.pipeline.support import create_generation

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN
    return settings


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_are_not_exposed_unless_a_token_is_configured(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, metrics_on):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_generations_are_counted_by_state_with_their_latencies(
    client, metrics_on, spring_launch, alice
):
    now = timezone.now()
    done = create_generation(spring_launch, alice)
    Generation.objects.filter(pk=done.pk).update(
        status=Generation.Status.SUCCEEDED,
        created_at=now - timedelta(seconds=30),
        submitted_at=now - timedelta(seconds=20),
        finished_at=now,
    )
    failed = create_generation(spring_launch, alice)
    Generation.objects.filter(pk=failed.pk).update(status=Generation.Status.FAILED)
    create_generation(spring_launch, alice)  # still queued

    samples = scrape(client)
    assert samples[("studio_generations", (("state", "succeeded"),))] == 1
    assert samples[("studio_generations", (("state", "failed"),))] == 1
    assert samples[("studio_generations", (("state", "queued"),))] == 1
    assert samples[("studio_generations", (("state", "running"),))] == 0
    assert samples[("studio_generation_visible_seconds", (("quantile", "0.5"),))] == 20
    assert samples[("studio_generation_wait_seconds", (("quantile", "0.5"),))] == 10
    assert samples[("studio_broker_up", ())] == 1
    assert ("studio_queue_depth", ()) in samples


def test_firefly_responses_and_429s_are_counted_across_processes(client, metrics_on):
    from types import SimpleNamespace

    from generation.metrics import count_firefly_response

    for status in (200, 200, 429, 503):
        count_firefly_response(SimpleNamespace(status_code=status))
    samples = scrape(client)
    assert samples[("studio_firefly_responses_total", (("status", "2xx"),))] == 2
    assert samples[("studio_firefly_responses_total", (("status", "429"),))] == 1
    assert samples[("studio_firefly_responses_total", (("status", "5xx"),))] == 1
