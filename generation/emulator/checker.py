"""Reading one field of a request body, pydantic-v1 style: every problem collected at once.

Each reader returns the value, or None after adding an item ``{"loc", "msg", "type"[, "ctx"]}``
to `Checker.errors`; `validation` turns the list into a 422 ``validation_error``.
"""

from __future__ import annotations

from typing import Any

Loc = tuple[str | int, ...]


class Checker:
    """Collects errors while reading fields; each reader returns None for a bad value."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, loc: Loc, msg: str, type_: str, ctx: dict[str, Any] | None = None) -> None:
        item: dict[str, Any] = {"loc": list(loc), "msg": msg, "type": type_}
        if ctx:
            item["ctx"] = ctx
        self.errors.append(item)

    def object(self, loc: Loc, value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(loc, "value is not a valid dict", "type_error.dict")
            return None
        return value

    def integer(
        self, loc: Loc, value: Any, low: int | None = None, high: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(loc, "value is not a valid integer", "type_error.integer")
            return None
        if low is not None and value < low:
            self.add(
                loc,
                f"ensure this value is greater than or equal to {low}",
                "value_error.number.not_ge",
                {"limit_value": low},
            )
            return None
        if high is not None and value > high:
            self.add(
                loc,
                f"ensure this value is less than or equal to {high}",
                "value_error.number.not_le",
                {"limit_value": high},
            )
            return None
        return value

    def string(
        self, loc: Loc, value: Any, min_length: int = 0, max_length: int | None = None
    ) -> str | None:
        if not isinstance(value, str):
            self.add(loc, "str type expected", "type_error.str")
            return None
        if len(value) < min_length:
            self.add(
                loc,
                f"ensure this value has at least {min_length} characters",
                "value_error.any_str.min_length",
                {"limit_value": min_length},
            )
            return None
        if max_length is not None and len(value) > max_length:
            self.add(
                loc,
                f"ensure this value has at most {max_length} characters",
                "value_error.any_str.max_length",
                {"limit_value": max_length},
            )
            return None
        return value

    def enum(self, loc: Loc, value: Any, allowed: tuple[str, ...]) -> str | None:
        if value not in allowed:
            permitted = ", ".join(f"'{item}'" for item in allowed)
            self.add(
                loc,
                f"value is not a valid enumeration member; permitted: {permitted}",
                "type_error.enum",
                {"enum_values": list(allowed)},
            )
            return None
        return value

    def array(self, loc: Loc, value: Any, min_items: int, max_items: int | None) -> list | None:
        if not isinstance(value, list):
            self.add(loc, "value is not a valid list", "type_error.list")
            return None
        if len(value) < min_items:
            self.add(
                loc,
                f"ensure this value has at least {min_items} items",
                "value_error.list.min_items",
                {"limit_value": min_items},
            )
            return None
        if max_items is not None and len(value) > max_items:
            self.add(
                loc,
                f"ensure this value has at most {max_items} items",
                "value_error.list.max_items",
                {"limit_value": max_items},
            )
            return None
        if len({repr(item) for item in value}) != len(value):
            self.add(loc, "the list has duplicated items", "value_error.list.unique_items")
            return None
        return value
