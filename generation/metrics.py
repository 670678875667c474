"""Metrics a dashboard can scrape (Prometheus text format), behind ``METRICS_TOKEN``.

Web and worker processes run on several machines, so nothing here is a per-process counter that
one scrape would see a slice of: the jobs' numbers are read from the database at scrape time
(the truth for every job), the broker's queue depth from the broker, and Firefly's responses are
counted in the shared cache by a hook on the client's HTTP session (`count_firefly_response`).
"""

from __future__ import annotations

import hmac
import logging
import statistics
from collections.abc import Iterable, Iterator
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from kombu.exceptions import ChannelError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from generation import caches
from generation.models import Export, FireflyRequestSlot, Generation

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
FIREFLY_STATUS_CLASSES = ("2xx", "3xx", "4xx", "429", "5xx")
_COUNTER_KEY = "metrics:firefly-responses:{}"
QUANTILES = (0.5, 0.95)


def status_class(status: int) -> str:
    return "429" if status == 429 else f"{status // 100}xx"


def count_firefly_response(response, *args, **kwargs) -> None:
    """A `requests` response hook: one more Firefly response of this status class."""
    key = _COUNTER_KEY.format(status_class(response.status_code))
    try:
        caches.increment(key, None)
    except Exception:  # a metrics hiccup must never fail a Firefly call
        logger.debug("could not count a Firefly response", exc_info=True)


def _quantiles(values: list[float]) -> dict[float, float]:
    if not values:
        return {}
    if len(values) == 1:
        return dict.fromkeys(QUANTILES, values[0])
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {q: cuts[round(q * 100) - 1] for q in QUANTILES}


def _latency(name: str, doc: str, seconds: Iterable[float]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=["quantile"])
    for q, value in _quantiles([s for s in seconds if s >= 0]).items():
        family.add_metric([str(q)], value)
    return family


def _queue_depth() -> int | None:
    try:
        with current_app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            try:
                return connection.default_channel.queue_declare(
                    queue=queue, passive=True
                ).message_count
            except ChannelError:  # Redis has no key for an empty queue
                return 0
    except Exception:  # reported as broker_up 0 instead
        logger.warning("metrics: the broker did not answer", exc_info=True)
        return None


def _counts_by_status(model) -> dict[str, int]:
    rows = model.objects.values_list("status").annotate(n=Count("pk"))
    return dict(rows.values_list("status", "n"))


class StudioCollector:
    def collect(self) -> Iterator[Metric]:
        since = timezone.now() - WINDOW

        by_status = GaugeMetricFamily(
            "studio_generations", "Generations by state.", labels=["state"]
        )
        counts = _counts_by_status(Generation)
        for state in Generation.Status.values:
            by_status.add_metric([state], counts.get(state, 0))
        yield by_status

        exports = GaugeMetricFamily("studio_exports", "Exports by state.", labels=["state"])
        counts = _counts_by_status(Export)
        for state in Export.Status.values:
            exports.add_metric([state], counts.get(state, 0))
        yield exports

        depth = _queue_depth()
        yield GaugeMetricFamily(
            "studio_broker_up", "1 when the broker answered.", value=depth is not None
        )
        if depth is not None:
            yield GaugeMetricFamily(
                "studio_queue_depth", "Messages waiting in the task queue.", value=depth
            )

        responses = CounterMetricFamily(
            "studio_firefly_responses", "Firefly HTTP responses by status class.", labels=["status"]
        )
        for cls in FIREFLY_STATUS_CLASSES:
            responses.add_metric([cls], cache.get(_COUNTER_KEY.format(cls)) or 0)
        yield responses

        recent = Generation.objects.filter(finished_at__gte=since, submitted_at__isnull=False)
        pairs = list(recent.values_list("created_at", "submitted_at", "finished_at")[:5000])
        yield _latency(
            "studio_generation_wait_seconds",
            "Queued to submitted to Firefly, generations finished in the last hour.",
            ((s - c).total_seconds() for c, s, _f in pairs),
        )
        yield _latency(
            "studio_generation_visible_seconds",
            "Submitted to images visible in the gallery, generations finished in the last hour.",
            ((f - s).total_seconds() for _c, s, f in pairs),
        )
        slots = FireflyRequestSlot.objects.filter(created_at__gte=since).values_list(
            "slot", "width_ms", "created_at"
        )
        yield _latency(
            "studio_firefly_slot_wait_seconds",
            "Time from reserving a Firefly request slot to its window opening, last hour.",
            (n * width / 1000 - created.timestamp() for n, width, created in slots[:5000]),
        )
        yield GaugeMetricFamily(
            "studio_firefly_requests_last_hour",
            "Firefly requests paced through the shared slot table in the last hour.",
            value=FireflyRequestSlot.objects.filter(created_at__gte=since, used=True).count(),
        )


def _authorised(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        return HttpResponse(status=404)  # not exposed unless an operator asked for it
    if not _authorised(request):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StudioCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


__all__ = ["count_firefly_response", "metrics"]
