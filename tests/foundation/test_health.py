import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

#: What DJANGO_DEBUG=0 serves static files with (DJANGO_STATIC_MANIFEST defaults on).
PRODUCTION_STATIC_STORAGE = {"BACKEND": "fireflyweb.staticfiles.ModuleAwareStaticFilesStorage"}


def production_static(static_root):
    """Settings as in production: hashed static file names from a manifest in `static_root`."""
    return override_settings(
        DEBUG=False,
        STATIC_ROOT=static_root,
        STORAGES={**settings.STORAGES, "staticfiles": PRODUCTION_STATIC_STORAGE},
    )


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """A STATIC_ROOT after `collectstatic` (run once for the module: it takes seconds)."""
    root = tmp_path_factory.mktemp("collected") / "static"
    with production_static(root):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


@pytest.mark.django_db
def test_healthz_reports_database_broker_endpoint_and_version(client, running_processes):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    # Readiness now also covers media storage and the Celery processes (issue 16).
    assert body["checks"] == {
        "database": True,
        "broker": True,
        "static": True,
        "storage": True,
        "workers": True,
        "beat": True,
    }
    assert "problems" not in body
    assert body["firefly"]["endpoint"] == settings.FIREFLY_ENDPOINT
    assert body["version"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    from fireflyweb import celery_app

    # Celery prefers the environment variable to its configuration, so clear both.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    # Embedded mode names its own file-system transport class, which would win over the URL.
    monkeypatch.setattr(celery_app.conf, "broker_transport", None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False


@pytest.mark.django_db
def test_healthz_is_503_with_the_reason_while_every_page_fails_for_want_of_collectstatic(
    client, tmp_path
):
    with production_static(tmp_path / "never-collected"):
        response = client.get("/healthz")
        # What a visitor gets: the page fails, and so does the 500 page (it links app.css too).
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            client.get("/accounts/login/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["static"] is False
    assert body["checks"]["database"] is True
    assert "collectstatic" in " ".join(body["problems"])


@pytest.mark.django_db
def test_healthz_is_200_in_production_mode_once_static_files_are_collected(
    client, collected_static, running_processes
):
    with production_static(collected_static):
        page = client.get("/accounts/login/")
        response = client.get("/healthz")
    assert page.status_code == 200
    assert response.status_code == 200
    assert response.json()["checks"]["static"] is True


@pytest.mark.django_db
def test_healthz_names_a_static_file_added_after_collectstatic_ran(
    client, collected_static, tmp_path, settings
):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "campaign-theme.css").write_text("body { color: teal; }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, source]
    with production_static(collected_static):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "css/campaign-theme.css" in " ".join(response.json()["problems"])


@pytest.mark.django_db
def test_healthz_notices_when_the_collected_static_files_are_deleted(
    client, collected_static, tmp_path, running_processes
):
    root = tmp_path / "static"
    shutil.copytree(collected_static, root)
    with production_static(root):
        assert client.get("/healthz").status_code == 200
        shutil.rmtree(root)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["static"] is False


@pytest.mark.django_db
def test_healthz_never_shows_the_firefly_secret(client):
    response = client.get("/healthz")
    assert settings.FIREFLY_CLIENT_SECRET not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_login_page_renders_with_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
