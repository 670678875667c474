"""The validated parsers every query and form value goes through (generation/parsing.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import BadRequest, ValidationError
from django.http import QueryDict
from django.test import RequestFactory

from generation.parsing import (
    BoundedDateField,
    BoundedIntegerField,
    check_text,
    form_text,
    parse_date,
    parse_ids,
    parse_int,
    query_date,
    query_ids,
    query_int,
)


@pytest.mark.parametrize("value", ["²", "٣", "1e3", " ", "9" * 20, str(2**63), "-1", "0x10"])
def test_whole_numbers_are_ascii_digits_within_a_bigint(value):
    with pytest.raises(ValueError, match=r"whole number|out of range"):
        parse_int(value)


def test_whole_numbers_in_range_are_read():
    assert parse_int("42") == 42
    assert parse_int(str(2**63 - 1)) == 2**63 - 1
    assert parse_int("-5", minimum=-10) == -5


def test_ids_come_repeated_or_comma_separated_without_duplicates():
    assert parse_ids(["3,1", "2", "3", ""], limit=None) == [3, 1, 2]
    assert parse_ids(["1,2,3"], limit=2) == [1, 2]
    with pytest.raises(ValueError, match="whole number"):
        parse_ids(["1,²"])


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30", "２０２６-01-01", "x"])
def test_dates_are_iso_and_within_a_sane_range(value):
    with pytest.raises(ValueError, match=r"date|range|isoformat"):
        parse_date(value)


def test_a_date_in_range_is_read():
    assert parse_date("2026-03-01") == dt.date(2026, 3, 1)


@pytest.mark.parametrize("value", ["a\x00b", "bell\x07", "esc\x1b[31m", "x" * 11])
def test_text_refuses_control_characters_and_overlong_values(value):
    with pytest.raises(ValueError, match=r"control|longer"):
        check_text(value, max_length=10)


def test_text_keeps_newlines_tabs_and_unicode():
    assert check_text("Line one\r\n\tTwo — ünïcode ✓") == "Line one\r\n\tTwo — ünïcode ✓"


def test_query_values_answer_400_when_malformed_and_none_when_absent():
    request = RequestFactory().get("/?before=²&date_to=9999-12-31&ids=1,x&after=")
    assert query_int(request, "after") is None
    assert query_int(request, "missing") is None
    with pytest.raises(BadRequest):
        query_int(request, "before")
    with pytest.raises(BadRequest):
        query_date(request, "date_to")
    with pytest.raises(BadRequest):
        query_ids(request.GET, "ids")


def test_form_text_is_a_field_error():
    with pytest.raises(ValidationError) as refused:
        form_text(QueryDict("note=a%00b"), "note")
    assert "note" in refused.value.message_dict


def test_form_fields_refuse_far_dates_and_huge_numbers():
    with pytest.raises(ValidationError):
        BoundedDateField().clean("9999-12-31")
    with pytest.raises(ValidationError):
        BoundedIntegerField().clean("9" * 30)
    assert BoundedDateField().clean("2026-01-31") == dt.date(2026, 1, 31)
