from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fireflyweb.env import env_bool, env_float, env_int, env_list, env_path, env_str
from tests.foundation.support import (
    differences,
    example_assignments,
    settings_with,
    variables_settings_read,
)


def test_a_boolean_variable_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("TRUE", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", not expected) is expected


def test_a_misspelt_boolean_stops_the_start_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='ture' is not a boolean"):
        env_bool("DJANGO_DEBUG", True)


def test_a_number_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("FIREFLY_RATE_LIMIT_PER_MINUTE", "-3")
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        env_int("FIREFLY_RATE_LIMIT_PER_MINUTE", 4, minimum=0)


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cr3t\n")
    monkeypatch.setenv("FIREFLY_CLIENT_SECRET_FILE", str(secret_file))
    assert env_str("FIREFLY_CLIENT_SECRET") == "s3cr3t"


def test_a_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.com, ,b.example.com ")
    assert env_list("HOSTS") == ["a.example.com", "b.example.com"]


@pytest.mark.parametrize(
    ("helper", "default"),
    [
        (env_str, "the default"),
        (env_bool, True),
        (env_bool, False),
        (env_int, 42),
        (env_float, 2.5),
        (env_path, Path("/srv/studio")),
    ],
)
@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_variable_means_not_set(monkeypatch, helper, default, empty):
    monkeypatch.setenv("STUDIO_SETTING", empty)
    assert helper("STUDIO_SETTING", default) == default


def test_an_empty_list_variable_means_not_set(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "")
    assert env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost") == ["127.0.0.1", "localhost"]


def test_an_empty_secret_file_variable_means_not_set(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY_FILE", "")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-variable")
    assert env_str("DJANGO_SECRET_KEY") == "from-the-variable"


def test_a_number_that_is_not_finite_is_refused(monkeypatch):
    monkeypatch.setenv("FIREFLY_READ_TIMEOUT", "inf")
    with pytest.raises(ImproperlyConfigured, match="FIREFLY_READ_TIMEOUT='inf' is not a finite"):
        env_float("FIREFLY_READ_TIMEOUT", 30.0, minimum=0.1)


# --- Every setting, in a fresh process: what `docker compose` and honcho do with an env file ---


def test_every_setting_keeps_its_default_when_its_variable_is_set_empty():
    names = variables_settings_read() | {name for name, _, _ in example_assignments()}
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "FIREFLY_IMS_URL", "FIREFLY_API_BASE"} <= names
    defaults = settings_with({})
    emptied = settings_with(dict.fromkeys(names, ""))
    assert differences(defaults, emptied) == {}


def test_the_example_env_file_sets_no_variable_so_copying_it_changes_nothing():
    set_lines = [name for name, _, commented in example_assignments() if not commented]
    assert set_lines == [], f".env.example sets {set_lines}: comment them out"


def test_every_value_the_example_env_file_shows_is_the_default():
    shown = {name: value for name, value, _ in example_assignments() if value}
    assert differences(settings_with({}), settings_with(shown)) == {}


def test_the_example_env_file_lists_every_variable_the_settings_read():
    listed = {name for name, _, _ in example_assignments()}
    assert variables_settings_read() - listed == set()
