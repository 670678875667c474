import pytest
from django.core.exceptions import ImproperlyConfigured

from fireflyweb.env import env_bool, env_int, env_list, env_str


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
