"""`make run` on a fresh install: the demo account, its password, where to sign in, and what the
README says to do when the password scrolled away."""

import os
import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from generation.management.commands.ensure_demo_user import DEMO_USERNAME, RESET_COMMAND
from tests.foundation.support import settings_with

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def sign_in_request():
    """Sign-in is throttled per client address, so authenticating needs a request (django-axes)."""
    return RequestFactory().post("/accounts/login/")


@pytest.fixture
def development(settings):
    settings.DEBUG = True
    settings.WEB_PORT = 8123
    return settings


def run(*args) -> str:
    out = StringIO()
    call_command("ensure_demo_user", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"password: (\S+)", output)[1]


def test_the_first_start_prints_a_password_that_signs_in_and_the_address_on_web_port(
    development,
):
    output = run()
    assert "Sign in at http://127.0.0.1:8123/" in output
    assert (
        authenticate(sign_in_request(), username=DEMO_USERNAME, password=printed_password(output))
        is not None
    )


def test_later_starts_print_the_address_on_web_port_and_how_to_get_a_new_password(development):
    run()
    output = run()
    assert "http://127.0.0.1:8123/" in output
    assert RESET_COMMAND in output
    assert "password:" not in output  # shown only once


def test_a_missed_password_is_replaced_by_the_command_the_readme_gives(development):
    first = printed_password(run())
    readme = (ROOT / "README.md").read_text()
    assert RESET_COMMAND in readme
    # What the README's command runs, according to the Makefile (printed, not run).
    recipe = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", RESET_COMMAND.removeprefix("make ")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert recipe.returncode == 0, recipe.stderr
    args = re.search(r"manage\.py (ensure_demo_user[^\n]*)", recipe.stdout)[1].split()
    out = StringIO()
    call_command(*args, stdout=out)

    new = printed_password(out.getvalue())
    assert new != first
    assert authenticate(sign_in_request(), username=DEMO_USERNAME, password=first) is None
    assert authenticate(sign_in_request(), username=DEMO_USERNAME, password=new) is not None


def test_resetting_without_a_demo_account_says_what_to_do_instead(development, alice):
    with pytest.raises(CommandError, match="createsuperuser"):
        run("--reset-password")
    assert not get_user_model().objects.filter(username=DEMO_USERNAME).exists()


def test_production_mode_never_resets_a_password(settings, alice):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="changepassword"):
        run("--reset-password")


def test_the_web_process_listens_where_the_printed_address_points():
    """The Procfile's `web` and the settings agree on WEB_PORT and its default."""
    default_port = settings_with({})["WEB_PORT"]
    web = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    expand = ["sh", "-c", f'echo "{web}"']
    env = {k: v for k, v in os.environ.items() if k != "WEB_PORT"}
    by_default = subprocess.run(expand, env=env, capture_output=True, text=True).stdout
    moved = subprocess.run(
        expand, env={**env, "WEB_PORT": "8123"}, capture_output=True, text=True
    ).stdout
    assert "runserver" in by_default
    assert f"127.0.0.1:{default_port}" in by_default
    assert "127.0.0.1:8123" in moved
