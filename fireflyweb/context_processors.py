from django.conf import settings

from fireflyweb import __version__


def product(request):
    """What every page may show about the product itself (never a secret)."""
    return {"app_version": __version__, "firefly_endpoint": settings.FIREFLY_ENDPOINT}


def notifications(request):
    """The header bell's unread count and label, computed only if the page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    # The app's module (and through it the models) is loaded on first use, not with settings.
    from generation.collab.notifications import bell_label, unread_count

    unread = SimpleLazyObject(lambda: unread_count(user))
    return {
        "unread_notifications": unread,
        "bell_label": SimpleLazyObject(lambda: bell_label(unread)),
    }
