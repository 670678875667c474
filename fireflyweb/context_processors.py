from django.conf import settings

from fireflyweb import __version__


def product(request):
    """What every page may show about the product itself (never a secret)."""
    return {"app_version": __version__, "firefly_endpoint": settings.FIREFLY_ENDPOINT}


def unread_key(user_id: int) -> str:
    """Cache key of a person's unread count; `generation.services.review` clears it."""
    return f"notifications:unread:{user_id}"


def notifications(request):
    """The header bell's unread count: cached (cleared whenever it changes), so most pages
    cost no query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    from generation.models import Notification

    def unread():
        from django.core.cache import cache

        key = unread_key(user.pk)
        count = cache.get(key)
        if count is None:
            count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
            cache.set(key, count, 300)
        return count

    return {"unread_notifications": SimpleLazyObject(unread)}
