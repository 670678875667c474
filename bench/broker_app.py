"""A tiny Celery app for the broker benchmark: one task that records when it ran.

It is configured only from BENCH_* variables so it measures the transport, not the product.
"""

import json
import os
import tempfile
import time

from celery import Celery

BROKER_URL = os.environ.get("BENCH_BROKER_URL", "filesystem://")
RECORD_FILE = os.environ.get(
    "BENCH_RECORD_FILE", os.path.join(tempfile.gettempdir(), "bench-broker-records.jsonl")
)
FOLDER = os.environ.get("BENCH_BROKER_FOLDER", os.path.join(tempfile.gettempdir(), "bench-broker"))

app = Celery("bench_broker")
app.conf.update(
    broker_url=BROKER_URL,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=4,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
if BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "control", "processed"):
        os.makedirs(os.path.join(FOLDER, folder), exist_ok=True)
    app.conf.broker_transport_options = {
        "data_folder_in": os.path.join(FOLDER, "queue"),
        "data_folder_out": os.path.join(FOLDER, "queue"),
        "control_folder": os.path.join(FOLDER, "control"),
        "processed_folder": os.path.join(FOLDER, "processed"),
        "store_processed": False,
        "polling_interval": 0.1,
    }


@app.task(name="bench.record")
def record(number: int, due: float) -> None:
    line = json.dumps({"n": number, "due": due, "ran": time.time(), "pid": os.getpid()})
    # O_APPEND writes of one short line are atomic, so two pool processes never interleave.
    with open(RECORD_FILE, "a") as fh:
        fh.write(line + "\n")
