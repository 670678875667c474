"""``python -m generation.emulator`` and ``manage.py firefly_emulator``."""

import argparse
import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from generation.emulator import DEFAULT_CLIENT_SECRET, cli

REPO = Path(__file__).resolve().parents[2]


def parse(*argv: str) -> dict:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return vars(parser.parse_args(argv))


def test_defaults_match_the_apps_defaults():
    config = cli.config_from_options(parse())

    assert (config.host, config.port) == ("127.0.0.1", 8765)
    assert config.client_id == "campaign-studio-local"
    assert config.client_secret == DEFAULT_CLIENT_SECRET
    assert config.rate_limit is None
    assert config.faults == ()


def test_flags_set_the_behaviour():
    rule = {"match": "generate", "kind": "error", "status": 503, "times": 2}
    config = cli.config_from_options(
        parse(
            "--port=0",
            "--seed=7",
            "--latency=0.25",
            "--rate-limit=4",
            "--job-seconds=1.5",
            "--client-id=abc",
            "--client-secret=xyz",
            f"--faults={json.dumps(rule)}",
            "--denied-words=apple, pear",
            "--content-policy=fail_job",
            "--url-lifetime=60",
            "--token-lifetime=120",
        )
    )

    assert (config.port, config.seed, config.latency, config.rate_limit) == (0, 7, 0.25, 4)
    assert config.job_seconds == 1.5
    assert (config.client_id, config.client_secret) == ("abc", "xyz")
    assert config.faults == (rule,)
    assert config.denied_words == ("apple", "pear")
    assert config.content_policy_mode == "fail_job"
    assert (config.url_lifetime, config.token_lifetime) == (60, 120)


def test_faults_can_come_from_a_file(tmp_path):
    rules = [{"match": "status", "kind": "reset", "times": 1}]
    path = tmp_path / "faults.json"
    path.write_text(json.dumps({"rules": rules}))

    assert cli.config_from_options(parse(f"--faults=@{path}")).faults == tuple(rules)


@pytest.mark.parametrize("value", ["{nope", '{"kind": "explode"}', "@/no/such/file.json", "5"])
def test_bad_faults_are_a_usage_error(value):
    with pytest.raises(SystemExit):
        parse(f"--faults={value}")


def test_serve_announces_one_line_and_stops_when_asked():
    stop = threading.Event()
    lines = []
    options = parse("--port=0", "--client-secret=very-secret-value")
    thread = threading.Thread(
        target=cli.serve, args=(cli.config_from_options(options), lines.append, stop)
    )
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not lines and time.monotonic() < deadline:
            time.sleep(0.02)
        url = re.search(r"http://\S+:\d+", lines[0]).group(0)
        assert requests.get(f"{url}/_emulator/health", timeout=5).status_code == 200
    finally:
        stop.set()
        thread.join(timeout=5)

    assert not thread.is_alive()
    assert len(lines) == 1
    assert "very-secret-value" not in lines[0]


def test_python_dash_m_runs_until_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "generation.emulator", "--port", "0", "--client-secret", "hush"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://\S+:\d+", line).group(0)
        token = requests.post(
            f"{url}/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": "campaign-studio-local",
                "client_secret": "hush",
            },
            timeout=5,
        )
        assert token.status_code == 200
        assert "hush" not in line
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)

    assert process.returncode == 0


def test_the_management_command_takes_the_same_options():
    pytest.importorskip("django")
    from generation.management.commands.firefly_emulator import Command

    parser = Command().create_parser("manage.py", "firefly_emulator")
    options = vars(parser.parse_args(["--port", "9999", "--rate-limit", "4", "--seed", "3"]))
    config = cli.config_from_options(options)

    assert (config.port, config.rate_limit, config.seed) == (9999, 4, 3)
