from django.conf import settings

from fireflyweb import __version__


def product(request):
    """What every page may show about the product itself (never a secret)."""
    return {"app_version": __version__, "firefly_endpoint": settings.FIREFLY_ENDPOINT}


def notifications(request):
    """The header bell's unread count (one indexed COUNT, only for signed-in people)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    from generation.models import Notification

    def unread():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(unread)}
