"""The shared cache as more than a cache: values one room fills and a lower room must forget,
keyed here so neither imports the other (the studio caches a campaign's gallery filter options,
the pipeline adds generations), and counters every process adds to."""

from django.core.cache import cache


def gallery_filter_options_key(campaign_id: int) -> str:
    """The cache key of a campaign's gallery filter options (`studio.selectors`)."""
    return f"gallery-filter-options:v2:{campaign_id}"  # v2: Firefly's own models too


def forget_gallery_filter_options(campaign_id: int) -> None:
    """Drop a campaign's cached filter options: a new generation may add a model, preset or
    person to them."""
    cache.delete(gallery_filter_options_key(campaign_id))


def increment(key: str, timeout: float | None) -> int:
    """Add one to the shared counter `key` (created at 1, gone after `timeout` seconds, None:
    never); returns the new count. Atomic with Redis; the file cache may lose a concurrent one."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout)
        return 1
