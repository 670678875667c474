"""S3 media settings: SigV4 pre-signed URLs, a CSP naming the media origin, and the deploy
checks for media on local disk and for missing S3 libraries. No S3 server needed here:
pre-signing is computed locally (tests/storage runs against a real one)."""

import ast
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from fireflyweb.env import env_choice
from fireflyweb.media import media_origins
from tests.foundation.support import settings_with

MINIO = {"AWS_STORAGE_BUCKET_NAME": "studio-media", "AWS_S3_ENDPOINT_URL": "http://minio:9000"}


def _setting(variables: dict, name: str):
    return ast.literal_eval(settings_with(variables)[name])


def _presigned(monkeypatch, variables: dict) -> dict:
    from storages.backends.s3 import S3Storage

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "studio")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    options = _setting(variables, "STORAGES")["default"]["OPTIONS"]
    return parse_qs(urlsplit(S3Storage(**options).url("originals/a.jpg")).query)


def test_presigned_media_urls_use_sigv4_by_default(monkeypatch):
    query = _presigned(monkeypatch, MINIO)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]


def test_the_signature_version_is_configurable_for_an_old_server(monkeypatch):
    query = _presigned(monkeypatch, {**MINIO, "AWS_S3_SIGNATURE_VERSION": "s3"})
    assert "X-Amz-Algorithm" not in query
    assert "Signature" in query


def test_an_unknown_choice_stops_the_start_naming_the_variable(monkeypatch):
    monkeypatch.setenv("AWS_S3_SIGNATURE_VERSION", "v5")
    with pytest.raises(ImproperlyConfigured, match="AWS_S3_SIGNATURE_VERSION='v5' is not one"):
        env_choice("AWS_S3_SIGNATURE_VERSION", "s3v4", ("s3v4", "s3"))
    monkeypatch.setenv("AWS_S3_SIGNATURE_VERSION", "S3V4")
    assert env_choice("AWS_S3_SIGNATURE_VERSION", "s3", ("s3v4", "s3")) == "s3v4"


# --- Content-Security-Policy --------------------------------------------------------------------


def _img_src(policy: dict) -> list[str]:
    return policy["DIRECTIVES"]["img-src"]


def test_images_are_allowed_from_the_http_media_endpoint_and_no_other_host():
    img_src = _img_src(_setting(MINIO, "CONTENT_SECURITY_POLICY"))
    assert img_src == ["'self'", "http://minio:9000", "http://studio-media.minio:9000"]
    assert "https:" not in img_src


def test_without_s3_images_come_from_the_studio_only():
    assert _img_src(_setting({}, "CONTENT_SECURITY_POLICY")) == ["'self'"]


def test_the_media_origins_of_aws_and_of_a_path_style_endpoint():
    assert media_origins(bucket="b", region="eu-west-1") == [
        "https://b.s3.amazonaws.com",
        "https://b.s3.eu-west-1.amazonaws.com",
    ]
    assert media_origins(
        bucket="b", endpoint_url="http://127.0.0.1:9000/", addressing_style="auto"
    ) == ["http://127.0.0.1:9000"]
    assert media_origins(
        bucket="b", endpoint_url="https://s3.internal", addressing_style="path"
    ) == ["https://s3.internal"]
    assert media_origins(bucket="") == []


def test_media_origins_can_be_named_for_a_cdn():
    variables = {**MINIO, "MEDIA_ORIGINS": "https://media.example.com"}
    assert _img_src(_setting(variables, "CONTENT_SECURITY_POLICY")) == [
        "'self'",
        "https://media.example.com",
    ]


def test_report_only_mode_sends_the_same_policy_as_report_only():
    variables = {"CSP_REPORT_ONLY": "1", "CSP_REPORT_URI": "https://csp.example.com/r"}
    assert _setting(variables, "CONTENT_SECURITY_POLICY") is None
    policy = _setting(variables, "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    assert policy["DIRECTIVES"]["report-uri"] == ["https://csp.example.com/r"]
    assert policy["DIRECTIVES"]["script-src"] == ["'self'"]


def test_every_directive_of_the_policy_is_sent(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert sorted(policy.split("; ")) == [
        "base-uri 'self'",
        "connect-src 'self'",
        "default-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "img-src 'self'" + "".join(f" {o}" for o in _media_origins_in_force()),
        "object-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
    ]


def _media_origins_in_force() -> list[str]:
    from django.conf import settings

    return settings.MEDIA_ORIGINS


def test_report_only_header_when_configured(client, settings):
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = policy
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


def test_the_admin_keeps_django_defaults_without_the_policy(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


# --- Deploy checks ------------------------------------------------------------------------------


def _check_ids(**kwargs) -> list[str]:
    return [message.id for message in run_checks(include_deployment_checks=True, **kwargs)]


def test_production_with_media_on_local_disk_is_a_deploy_warning(settings):
    settings.DEBUG = False
    settings.AWS_STORAGE_BUCKET_NAME = ""
    assert "generation.W004" in _check_ids()
    settings.AWS_STORAGE_BUCKET_NAME = "studio-media"
    assert "generation.W004" not in _check_ids()
    settings.DEBUG = True
    settings.AWS_STORAGE_BUCKET_NAME = ""
    assert "generation.W004" not in _check_ids()


def test_s3_variables_without_the_s3_libraries_are_a_check_error(settings, monkeypatch):
    settings.AWS_STORAGE_BUCKET_NAME = "studio-media"
    assert "generation.E004" not in _check_ids()
    monkeypatch.setitem(sys.modules, "storages.backends.s3", None)  # import fails
    assert "generation.E004" in _check_ids()
    settings.AWS_STORAGE_BUCKET_NAME = ""
    assert "generation.E004" not in _check_ids()
