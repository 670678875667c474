"""The Celery application. Every setting lives in Django settings under the CELERY_ prefix."""

import os

from celery import Celery

from fireflyweb.observability import connect_celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fireflyweb.settings")


app = Celery("fireflyweb")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in the rooms' tasks.py (the pipeline's and collaboration's), not in the app's.
app.autodiscover_tasks(lambda: ["generation.pipeline", "generation.collab"])
connect_celery()

# Every worker records a heartbeat from its consumer, which readiness and its container check read.
from generation.ops.heartbeat import WorkerHeartbeat  # noqa: E402

app.steps["consumer"].add(WorkerHeartbeat)
