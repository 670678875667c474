from django.conf import settings

from fireflyweb import __version__


def product(request):
    """What every page may show about the product itself (never a secret)."""
    return {"app_version": __version__, "firefly_endpoint": settings.FIREFLY_ENDPOINT}
