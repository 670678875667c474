"""Validated parsers for what a request carries: every query and form value goes through these.

A request can carry anything, and the ways it breaks the studio are specific: ``"²".isdigit()``
is true but ``int("²")`` fails; ``int("٣")`` is 3; a number beyond 64 bits overflows SQLite;
PostgreSQL refuses a NUL byte in text; ``date(9999, 12, 31) + one day`` overflows. So numbers are
ASCII digits within the database's range, dates lie in a sane range, and text has no NUL or other
control characters. A malformed value in the query string is a 400 (`BadRequest`); in a form it
is a `ValidationError` on that field, which the views already show beside it.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import BadRequest, ValidationError

#: The widest integer both databases store (a signed 64-bit "bigint").
MAX_ID = 2**63 - 1
#: Dates a filter or an expiry may name: adding or subtracting a day or a time zone never
#: leaves Python's or the databases' range.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
#: NUL and the other C0/C1 control characters except tab, newline and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
DIGITS = re.compile(r"[0-9]+")


def parse_int(value: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """`value` as an int in [minimum, maximum]; ValueError for anything else (``²``, ``٣``,
    ``1e3``, 30 digits). A leading ``-`` only when `minimum` is negative."""
    text = str(value).strip()
    digits = text[1:] if text.startswith("-") and minimum < 0 else text
    if not DIGITS.fullmatch(digits) or len(digits) > 19:
        raise ValueError("not a whole number")
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValueError("out of range")
    return number


def parse_ids(values, *, limit: int | None = None) -> list[int]:
    """Object ids from repeated values and/or comma-separated lists, duplicates dropped, order
    kept; blanks ignored; ValueError for any other malformed id."""
    found: list[int] = []
    for value in values:
        found.extend(parse_int(part, minimum=1) for part in str(value).split(",") if part.strip())
    ids = list(dict.fromkeys(found))
    return ids[:limit] if limit is not None else ids


def parse_date(value: str) -> dt.date:
    """An ISO date between MIN_DATE and MAX_DATE; ValueError for anything else."""
    text = str(value).strip()
    if len(text) != 10 or not text.isascii():
        raise ValueError("not a date (YYYY-MM-DD)")
    day = dt.date.fromisoformat(text)
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError("out of range")
    return day


def check_text(value: str, *, max_length: int | None = None) -> str:
    """`value` unchanged if it has no control characters and fits; ValueError otherwise."""
    text = str(value)
    if CONTROL.search(text):
        raise ValueError("contains control characters (such as NUL)")
    if max_length is not None and len(text) > max_length:
        raise ValueError(f"is longer than {max_length} characters")
    return text


def _bad_request(name: str, error: ValueError) -> BadRequest:
    return BadRequest(f"Malformed query parameter {name!r}: {error}")


def query_int(
    request, name: str, *, minimum: int = 0, maximum: int = MAX_ID, strict: bool = True
) -> int | None:
    """``?name=`` as an int, None when absent or blank; 400 when malformed (None instead when
    not `strict`: the gallery ignores a malformed filter or cursor rather than failing)."""
    value = request.GET.get(name, "")
    if not value.strip():
        return None
    try:
        return parse_int(value, minimum=minimum, maximum=maximum)
    except ValueError as error:
        if not strict:
            return None
        raise _bad_request(name, error) from error


def query_ids(data, name: str, *, limit: int | None = None, strict: bool = True) -> list[int]:
    """Ids from ``name`` in `data` (request.GET or request.POST), repeated or comma-separated;
    400 when any is malformed (left out instead when not `strict`)."""
    if not strict:
        values = [part for value in data.getlist(name) for part in value.split(",")]
        return parse_ids([v for v in values if _is_id(v)], limit=limit)
    try:
        return parse_ids(data.getlist(name), limit=limit)
    except ValueError as error:
        raise _bad_request(name, error) from error


def _is_id(value: str) -> bool:
    try:
        parse_int(value, minimum=1)
    except ValueError:
        return False
    return True


def query_date(request, name: str) -> dt.date | None:
    """``?name=`` as a date, None when absent or blank; 400 when malformed or out of range."""
    value = request.GET.get(name, "")
    if not value.strip():
        return None
    try:
        return parse_date(value)
    except ValueError as error:
        raise _bad_request(name, error) from error


def query_text(request, name: str, *, max_length: int = 200) -> str:
    """``?name=`` as text (stripped); 400 when it carries control characters or is too long."""
    try:
        return check_text(request.GET.get(name, ""), max_length=max_length).strip()
    except ValueError as error:
        raise _bad_request(name, error) from error


def form_text(data, name: str, *, max_length: int | None = None, default: str = "") -> str:
    """A posted text field; a `ValidationError` on that field when it carries control
    characters or is too long (the views show it beside the field)."""
    try:
        return check_text(data.get(name, default), max_length=max_length)
    except ValueError as error:
        raise ValidationError({name: [f"This field {error}."]}) from error


class BoundedDateField(forms.DateField):
    """A form's date field that refuses dates outside MIN_DATE..MAX_DATE as a field error."""

    def validate(self, value):
        super().validate(value)
        if value and not MIN_DATE <= value <= MAX_DATE:
            raise ValidationError(
                f"Pick a date between {MIN_DATE} and {MAX_DATE}.", code="out_of_range"
            )


class BoundedIntegerField(forms.IntegerField):
    """A form's integer field that refuses values beyond a 64-bit id (SQLite overflows)."""

    def __init__(self, *, max_value: int = MAX_ID, **kwargs):
        super().__init__(max_value=max_value, **kwargs)
