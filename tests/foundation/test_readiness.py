"""Issue 16: readiness covers workers, beat and media storage; liveness depends on nothing;
each process kind has its own container check; no secret in the answer."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from generation.health import storage_probe
from generation.models import ProcessHeartbeat
from generation.ops.heartbeat import HeartbeatScheduler, host_name

SECRET = "pa55-w0rd-never-shown"


@pytest.fixture(autouse=True)
def _fresh_storage_probe():
    storage_probe.reset()
    yield
    storage_probe.reset()


def beat(kind: str, *, ago: float = 0.0, host: str = "elsewhere", name: str = "") -> None:
    seen = timezone.now() - timedelta(seconds=ago)
    ProcessHeartbeat.objects.create(
        name=name or f"{kind}@{host}-{ago}",
        kind=kind,
        host=host,
        pid=1,
        started_at=seen,
        seen_at=seen,
    )


def broken_storage(monkeypatch):
    def save(*args, **kwargs):
        raise OSError(f"https://AKIAEXAMPLE:{SECRET}@objects.internal/bucket refused")

    monkeypatch.setattr(default_storage, "save", save)


@pytest.mark.django_db
def test_readiness_is_503_naming_workers_when_no_worker_has_a_heartbeat(client):
    beat("beat")
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["workers"]
    assert body["checks"]["workers"] is False
    assert body["details"]["workers"]["alive"] == 0
    assert "worker" in " ".join(body["problems"])


@pytest.mark.django_db
def test_a_stale_worker_heartbeat_counts_as_stopped(client, settings):
    settings.HEALTH_WORKER_STALE_SECONDS = 60
    beat("beat")
    beat("worker", ago=61)
    assert client.get("/healthz").json()["failing"] == ["workers"]
    beat("worker", ago=5)
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readiness_is_503_naming_beat_when_its_last_tick_is_stale(client, settings):
    settings.HEALTH_BEAT_STALE_SECONDS = 60
    beat("worker")
    beat("beat", ago=90)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["beat"]
    assert body["details"]["beat"]["seconds_since_last_tick"] >= 90
    said = re.search(r"last ticked (\d+) s ago", " ".join(body["problems"]))
    assert said  # the age as measured when asked: at least the 90 s given (checks take time)
    assert int(said[1]) >= 90


@pytest.mark.django_db
def test_readiness_names_storage_when_the_probe_fails_and_shows_no_secret(
    client, running_processes, monkeypatch
):
    broken_storage(monkeypatch)
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["storage"]
    assert "write (OSError)" in " ".join(body["problems"])
    assert SECRET not in response.content.decode()
    assert "objects.internal" not in response.content.decode()


@pytest.mark.django_db
def test_the_storage_probe_leaves_nothing_behind_and_is_cached(
    client, running_processes, settings, monkeypatch
):
    settings.HEALTH_STORAGE_CACHE_SECONDS = 30
    assert client.get("/healthz").status_code == 200
    assert default_storage.listdir("healthz") == ([], [])
    broken_storage(monkeypatch)  # within the cache interval: the last answer stands
    assert client.get("/healthz").status_code == 200
    storage_probe.reset()
    assert client.get("/healthz").json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_no_broker_password_or_host_in_the_answer(client, running_processes, monkeypatch):
    from fireflyweb import celery_app

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://:{SECRET}@127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "broker_transport", None)
    response = client.get("/healthz")
    assert response.json()["failing"] == ["broker"]
    assert SECRET not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_liveness_is_200_with_everything_else_down(client, monkeypatch, django_assert_num_queries):
    from fireflyweb import celery_app

    broken_storage(monkeypatch)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "broker_transport", None)
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert client.get("/healthz/ready").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_records_its_heartbeat_and_readiness_counts_it(
    client, celery_worker, wait_for
):
    name = celery_worker.consumer.hostname
    wait_for(lambda: ProcessHeartbeat.objects.filter(name=name, kind="worker").exists())
    body = client.get("/healthz").json()
    assert body["checks"]["workers"] is True
    assert body["details"]["workers"]["alive"] == 1


@pytest.mark.django_db(transaction=True)
def test_beat_records_its_heartbeat_on_tick_and_removes_it_on_close(tmp_path, settings):
    from fireflyweb import celery_app

    settings.HEALTH_HEARTBEAT_SECONDS = 5
    scheduler = HeartbeatScheduler(app=celery_app, schedule_filename=str(tmp_path / "beat"))
    assert scheduler.tick() <= 5  # wakes at least once per heartbeat interval
    row = ProcessHeartbeat.objects.get(kind="beat")
    assert row.host == host_name()
    scheduler.close()
    assert not ProcessHeartbeat.objects.filter(kind="beat").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["worker", "beat"])
def test_the_container_check_of_a_worker_or_beat_reads_its_own_hosts_heartbeat(kind, capsys):
    beat(kind, host="another-container")
    with pytest.raises(CommandError, match="no heartbeat from this host"):
        call_command("healthcheck", kind)
    beat(kind, host=host_name())
    call_command("healthcheck", kind)
    assert "heartbeat from this host" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_webs_container_check_is_accepted_by_allowed_hosts(live_server, settings, capsys):
    # As in production: the site's name only. A probe sent as Host: 127.0.0.1 gets a 400.
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    port = int(live_server.url.rsplit(":", 1)[1])
    call_command("healthcheck", "web", "--port", str(port))
    assert "answered 200" in capsys.readouterr().out
    with pytest.raises(CommandError, match="answered /healthz/ready with 503"):
        call_command("healthcheck", "web", "--port", str(port), "--ready")


def test_the_webs_container_check_fails_when_nothing_listens():
    with pytest.raises(CommandError, match="does not answer on port 1"):
        call_command("healthcheck", "web", "--port", "1", "--timeout", "1")


def test_production_exempts_every_health_path_from_the_https_redirect():
    from tests.foundation.support import settings_with

    values = settings_with(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "studio.example.com",
        }
    )
    assert "healthz(/live|/ready)?$" in values["SECURE_REDIRECT_EXEMPT"]
