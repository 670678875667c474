"""WSGI entry point (gunicorn fireflyweb.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fireflyweb.settings")
application = get_wsgi_application()
