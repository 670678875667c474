"""Firefly Campaign Studio: the Django project package.

The Celery app is imported here so that `@shared_task` binds to it whenever Django starts.
"""

from .celery import app as celery_app

__version__ = "0.1.0"
__all__ = ("__version__", "celery_app")
