"""Production mode refuses development values; system checks name what is wrong."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIREFLY_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_refuses_the_development_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="studio.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_mode_refuses_empty_allowed_hosts():
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_mode_pointed_at_the_emulator_is_a_system_check_error():
    result = run_manage(
        "check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="example.com"
    )
    assert result.returncode != 0
    assert "generation.E001" in result.stderr


def test_half_set_firefly_credentials_are_a_system_check_error(monkeypatch):
    monkeypatch.setenv("FIREFLY_CLIENT_ID", "only-the-id")
    monkeypatch.delenv("FIREFLY_CLIENT_SECRET", raising=False)
    ids = [message.id for message in run_checks()]
    assert "generation.E002" in ids


def test_blank_firefly_credentials_mean_the_emulator_not_half_set_credentials(monkeypatch):
    monkeypatch.setenv("FIREFLY_CLIENT_ID", " ")
    monkeypatch.setenv("FIREFLY_CLIENT_SECRET", "")
    ids = [message.id for message in run_checks()]
    assert "generation.E002" not in ids


def test_development_defaults_pass_every_check():
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_studio_address_that_is_not_a_web_address_stops_the_start():
    result = run_manage("check", STUDIO_BASE_URL="studio.example.com:8000")
    assert result.returncode != 0
    assert "STUDIO_BASE_URL='studio.example.com:8000' is not a web address" in result.stderr
