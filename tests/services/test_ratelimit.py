"""One rate limiter for every worker: database slots of 60/limit seconds each."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from generation.models import FireflyRequestSlot
from generation.pipeline import ratelimit

NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)  # a slot boundary at 4 a minute


@pytest.fixture
def four_a_minute(settings, monkeypatch):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4
    settings.FIREFLY_RATE_LIMIT_COUNTS_POLLS = True
    monkeypatch.setattr(ratelimit, "HEADROOM", 0.0)  # exact 15-second windows below


def test_slots_keep_a_little_headroom_below_the_limit(settings):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 120
    assert ratelimit.slot_width() == pytest.approx(0.5 * (1 + ratelimit.HEADROOM))
    assert 0 < ratelimit.HEADROOM <= 0.05  # paced within 5 % of the limit


@pytest.mark.django_db
def test_requests_get_consecutive_windows_of_fifteen_seconds(four_a_minute):
    starts = [ratelimit.reserve("submit", n, now=NOW).starts_at for n in range(4)]

    assert starts == [NOW + timedelta(seconds=15 * n) for n in range(4)]
    assert ratelimit.reserve("submit", 9, now=NOW).wait_seconds(NOW) == 60


@pytest.mark.django_db
def test_coming_back_for_a_reserved_slot_returns_it_instead_of_queueing_again(four_a_minute):
    ratelimit.reserve("submit", 1, now=NOW)
    later = ratelimit.reserve("poll", 2, now=NOW)
    assert later.wait_seconds(NOW) == 15

    again = ratelimit.reserve("poll", 2, now=NOW + timedelta(seconds=5))
    assert again.slot == later.slot
    on_time = ratelimit.reserve("poll", 2, now=NOW + timedelta(seconds=15.2))
    assert on_time.slot == later.slot
    assert on_time.wait_seconds(NOW + timedelta(seconds=15.2)) == 0
    assert FireflyRequestSlot.objects.get(slot=later.slot).used

    next_poll = ratelimit.reserve("poll", 2, now=NOW + timedelta(seconds=16))
    assert next_poll.slot == later.slot + 1  # its window was used: a new one


@pytest.mark.django_db
def test_a_slot_whose_owner_came_back_far_too_late_is_given_up(four_a_minute):
    ratelimit.reserve("submit", 1, now=NOW)
    reserved = ratelimit.reserve("poll", 3, now=NOW)  # the next window, at +15 s
    late = NOW + timedelta(seconds=60)

    again = ratelimit.reserve("poll", 3, now=late)

    assert again.slot != reserved.slot
    assert again.wait_seconds(late) == 0
    assert not FireflyRequestSlot.objects.filter(slot=reserved.slot).exists()


@pytest.mark.django_db
def test_pacing_is_off_at_zero_and_polls_count_only_when_configured(settings):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    assert ratelimit.reserve("submit", 1, now=NOW).wait_seconds(NOW) == 0
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4
    settings.FIREFLY_RATE_LIMIT_COUNTS_POLLS = False
    for n in range(10):
        assert ratelimit.reserve("poll", n, now=NOW).slot is None
    assert FireflyRequestSlot.objects.count() == 0
    assert ratelimit.counts("submit")
    assert ratelimit.counts("cancel")
    assert ratelimit.counts("catalogue")
    with pytest.raises(ValueError, match="download"):
        ratelimit.counts("download")


@pytest.mark.django_db
def test_old_slots_are_pruned(four_a_minute):
    ratelimit.reserve("submit", 1)
    FireflyRequestSlot.objects.update(created_at=timezone.now() - timedelta(hours=2))
    ratelimit.reserve("submit", 2)

    assert ratelimit.prune() == 1
    assert FireflyRequestSlot.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_processes_reserving_at_once_never_share_a_slot(four_a_minute):
    per_thread = 15
    results: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def reserve_many(name: str) -> None:
        try:
            start.wait()
            results[name] = [
                ratelimit.reserve("submit", f"{name}-{n}", now=NOW).slot for n in range(per_thread)
            ]
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reserve_many, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    slots = results["a"] + results["b"]
    assert len(set(slots)) == 2 * per_thread
    first = min(slots)
    assert sorted(slots) == list(range(first, first + 2 * per_thread))  # no gaps either
