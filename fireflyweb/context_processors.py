from django.conf import settings

from fireflyweb import __version__


def product(request):
    """What every page may show about the product itself (never a secret)."""
    return {"app_version": __version__, "firefly_endpoint": settings.FIREFLY_ENDPOINT}


def unread_key(user_id: int) -> str:
    """Cache key of a person's unread count; `generation.collab.review` clears it."""
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    """A person's unread notifications: cached (cleared whenever it changes), so most pages,
    and the bell's polls, cost no query for it."""
    from django.core.cache import cache

    from generation.models import Notification

    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, 300)
    return count


def bell_label(unread: int) -> str:
    """What the header bell says to screen readers (and announces when the count goes up)."""
    return f"Notifications, {unread} unread" if unread else "Notifications"


def notifications(request):
    """The header bell's unread count and label, computed only if the page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    unread = SimpleLazyObject(lambda: unread_count(user))
    return {
        "unread_notifications": unread,
        "bell_label": SimpleLazyObject(lambda: bell_label(unread)),
    }
