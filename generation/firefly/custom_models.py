"""Paging through ``GET /v3/custom-models``.

Adobe documents ``start``/``limit`` (max 50) and a ``_links.next`` whose
presence is unconfirmed, so this follows ``next`` when it is a usable link
and otherwise pages by offset until ``total_count`` is reached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import errors
from .config import FireflyConfig
from .facts import CUSTOM_MODEL_SORT_KEYS, PUBLISHED_STATE_FILTERS
from .types import CustomModel
from .urls import api_url, resolve_link

PAGE_LIMIT = 50
MAX_PAGES = 200

#: ``call(url, params) -> parsed JSON object`` (an authenticated GET).
GetJSON = Callable[[str, dict[str, str] | None], dict[str, Any]]


def check_query(published_state: str, sort_by: str | None) -> None:
    """Refuse filter values Adobe does not define, naming the argument."""
    problems: dict[str, list[str]] = {}
    if published_state not in PUBLISHED_STATE_FILTERS:
        problems["published_state"] = [f"Use one of {', '.join(PUBLISHED_STATE_FILTERS)}."]
    if sort_by is not None and sort_by.removeprefix("-") not in CUSTOM_MODEL_SORT_KEYS:
        problems["sort_by"] = [f"Use one of {', '.join(CUSTOM_MODEL_SORT_KEYS)}."]
    if problems:
        raise errors.RequestValidationError("Invalid custom model query", field_errors=problems)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _next_href(data: dict[str, Any]) -> str | None:
    links = _object(data.get("_links"))
    nxt = _object(links.get("next"))
    href = nxt.get("href")
    # A templated href ("...?start={start}") is a pattern, not a page to fetch.
    if isinstance(href, str) and href and not nxt.get("templated") and "{" not in href:
        return href
    return None


def list_all(
    get_json: GetJSON, config: FireflyConfig, published_state: str, sort_by: str | None
) -> list[CustomModel]:
    """Every custom model matching the filter, across all pages."""
    check_query(published_state, sort_by)
    base_params = {"limit": str(PAGE_LIMIT), "publishedState": published_state}
    if sort_by:
        base_params["sortBy"] = sort_by
    first = api_url(config, "/v3/custom-models")
    params: dict[str, str] | None
    url, params = first, {"start": "0", **base_params}
    models: list[CustomModel] = []
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        data = get_json(url, params)
        items = data.get("custom_models") or []
        if not isinstance(items, list):
            raise errors.InvalidResponseError("custom_models is not a list")
        models.extend(CustomModel.from_payload(i) for i in items if isinstance(i, dict))
        href = _next_href(data)
        total = data.get("total_count")
        if href:
            url, params = resolve_link(config, href), None
        elif isinstance(total, int) and len(models) < total and items:
            url, params = first, {"start": str(len(models)), **base_params}
        else:
            return models
        key = f"{url}?{params}"
        if key in seen:
            raise errors.InvalidResponseError("Custom model paging did not advance")
        seen.add(key)
    raise errors.InvalidResponseError(f"More than {MAX_PAGES} pages of custom models")
