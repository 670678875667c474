from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generation.firefly.retry import (
    RetryPolicy,
    backoff_ceiling,
    full_jitter,
    parse_retry_after,
)

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (1000, 8.0)],
)
def test_the_backoff_ceiling_doubles_until_the_cap(attempt, expected):
    assert backoff_ceiling(attempt, base=0.5, cap=8.0) == expected


def test_a_negative_attempt_is_a_programming_error():
    with pytest.raises(ValueError, match="attempt"):
        backoff_ceiling(-1)


@pytest.mark.parametrize(
    ("rand", "attempt", "expected"),
    [(0.0, 3, 0.0), (0.5, 0, 0.25), (0.5, 3, 2.0), (0.999, 10, 7.992)],
)
def test_full_jitter_scales_the_ceiling_by_the_random_draw(rand, attempt, expected):
    assert full_jitter(attempt, 0.5, 8.0, rand=lambda: rand) == pytest.approx(expected)


@given(st.integers(0, 100), st.floats(0, 1, exclude_max=True))
def test_full_jitter_always_stays_within_zero_and_the_ceiling(attempt, draw):
    wait = full_jitter(attempt, 0.5, 8.0, rand=lambda: draw)
    assert 0 <= wait < backoff_ceiling(attempt, 0.5, 8.0) or wait == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        (" 12 ", 12.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        (formatdate(NOW + 30, usegmt=True), 30.0),
        (formatdate(NOW - 30, usegmt=True), 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:28:00", None),
    ],
)
def test_it_parses_retry_after_as_seconds_or_an_http_date(header, expected):
    assert parse_retry_after(header, now=NOW) == expected


def test_the_policy_honours_retry_after_with_a_little_jitter():
    policy = RetryPolicy(max_retries=3, base=0.5, cap=8, max_total_wait=30)
    assert policy.delay(0, retry_after=7.0, waited=0, rand=lambda: 0.5) == pytest.approx(7.25)


def test_the_policy_backs_off_exponentially_without_retry_after():
    policy = RetryPolicy(max_retries=5, base=0.5, cap=8, max_total_wait=60)
    delays = [policy.delay(n, None, 0, rand=lambda: 1.0) for n in range(5)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_the_policy_gives_up_after_max_retries():
    policy = RetryPolicy(max_retries=2)
    assert policy.delay(2, None, 0, rand=lambda: 0.5) is None


def test_the_policy_refuses_a_retry_after_longer_than_the_wait_budget():
    policy = RetryPolicy(max_retries=3, max_total_wait=30)
    assert policy.delay(0, retry_after=45.0, waited=0, rand=lambda: 0) is None
    assert policy.delay(1, retry_after=10.0, waited=25.0, rand=lambda: 0) is None
