import pytest
from django.conf import settings


@pytest.mark.django_db
def test_healthz_reports_database_broker_endpoint_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": True, "broker": True}
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
