"""The file-system broker transport publishes whole messages (generation.pipeline.broker)."""

import os

import pytest
from kombu import Connection

from generation.pipeline import broker


@pytest.fixture
def connection(tmp_path):
    folders = {name: tmp_path / name for name in ("queue", "control", "processed")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "control_folder": str(folders["control"]),
        "processed_folder": str(folders["processed"]),
        "store_processed": False,
    }
    with Connection(
        "filesystem://", transport="generation.pipeline.broker:Transport", transport_options=options
    ) as conn:
        yield conn, folders["queue"]


def test_the_settings_select_it_for_the_file_system_broker(settings):
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        assert settings.CELERY_BROKER_TRANSPORT == "generation.pipeline.broker:Transport"


def test_a_message_appears_only_once_it_is_complete(connection, monkeypatch):
    conn, folder = connection
    channel = conn.default_channel
    seen_while_writing = []
    real_replace = os.replace

    def replace(src, dst):
        # Just before the rename: nothing a consumer would pick up exists yet.
        seen_while_writing.extend(n for n in os.listdir(folder) if n.endswith(".msg"))
        return real_replace(src, dst)

    monkeypatch.setattr(broker.os, "replace", replace)
    channel._put("jobs", {"body": "hello"})
    assert seen_while_writing == []
    names = os.listdir(folder)
    assert len(names) == 1
    assert names[0].endswith(".jobs.msg")
    assert channel._get("jobs") == {"body": "hello"}


def test_a_damaged_message_is_skipped_not_fatal(connection, caplog):
    conn, folder = connection
    channel = conn.default_channel
    channel._put("jobs", {"body": "damaged"})
    (damaged,) = folder.iterdir()
    damaged.write_bytes(b"")  # e.g. cut short by a power loss
    channel._put("jobs", {"body": "next"})
    assert channel._get("jobs") == {"body": "next"}
    assert "unreadable message" in caplog.text
    assert list(folder.iterdir()) == []


# Monotonic clock readings (ns) as a machine ages: 0.9 s, 9.9 s, 10 s, 2.8 hours, 3 years up.
UPTIMES_NS = [900_000_000, 9_900_000_000, 10_000_000_000, 10**13, 10**17]


def test_messages_are_consumed_in_publishing_order_whatever_the_uptime(connection, monkeypatch):
    conn, _folder = connection
    channel = conn.default_channel
    readings = iter(UPTIMES_NS)
    monkeypatch.setattr(broker, "monotonic_ns", lambda: next(readings))
    for number in range(len(UPTIMES_NS)):
        channel._put("jobs", {"body": number})
    consumed = [channel._get("jobs")["body"] for _ in UPTIMES_NS]
    assert consumed == list(range(len(UPTIMES_NS)))
