"""Command-line options and the serve loop, shared by ``python -m generation.emulator`` and
``python manage.py firefly_emulator``."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .config import CONTENT_POLICY_MODES, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig
from .faults import FaultRule
from .server import EmulatorServer


def _faults(value: str) -> list[dict[str, Any]]:
    """``--faults``: JSON (a rule, a list, or {"rules": [...]}) or ``@path`` to a JSON file."""
    try:
        text = Path(value[1:]).read_text() if value.startswith("@") else value
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"cannot read fault rules: {exc}") from None
    rules = data.get("rules", [data]) if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise argparse.ArgumentTypeError("fault rules must be a JSON object or list")
    try:
        for rule in rules:
            FaultRule.from_dict(rule)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return rules


def _words(value: str) -> list[str]:
    return [word.strip() for word in value.split(",") if word.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the emulator's options on ``parser`` (argparse or Django's CommandParser)."""
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any)")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="accepted client id")
    parser.add_argument(
        "--client-secret", default=DEFAULT_CLIENT_SECRET, help="accepted client secret"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per API call")
    parser.add_argument(
        "--job-seconds", type=float, default=3.0, help="how long a job runs (default 3)"
    )
    parser.add_argument(
        "--pending-seconds", type=float, default=0.5, help="how long a job is pending first"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="requests per minute per credential (default: no limit)",
    )
    parser.add_argument(
        "--faults", type=_faults, default=[], help='fault rules: JSON, or "@file.json"'
    )
    parser.add_argument("--token-lifetime", type=int, default=86399, help="expires_in (seconds)")
    parser.add_argument("--url-lifetime", type=int, default=3600, help="output URL lifetime (s)")
    parser.add_argument(
        "--content-policy",
        choices=CONTENT_POLICY_MODES,
        default="reject_at_submit",
        help="how a denied word is answered (default reject_at_submit: 451)",
    )
    parser.add_argument(
        "--denied-words", type=_words, default=None, help="comma-separated denied words"
    )
    parser.add_argument(
        "--public-url", default=None, help="origin for returned URLs (default: the Host header)"
    )


def config_from_options(options: Mapping[str, Any]) -> EmulatorConfig:
    """An EmulatorConfig from parsed options (a Namespace's vars or Django's options dict)."""
    extra: dict[str, Any] = {}
    if options.get("denied_words") is not None:
        extra["denied_words"] = tuple(options["denied_words"])
    return EmulatorConfig(
        host=options["host"],
        port=options["port"],
        client_id=options["client_id"],
        client_secret=options["client_secret"],
        seed=options["seed"],
        latency=options["latency"],
        job_seconds=options["job_seconds"],
        pending_seconds=options["pending_seconds"],
        rate_limit=options["rate_limit"],
        faults=tuple(options["faults"]),
        token_lifetime=options["token_lifetime"],
        url_lifetime=options["url_lifetime"],
        content_policy_mode=options["content_policy"],
        public_url=options["public_url"],
        **extra,
    )


def serve(
    config: EmulatorConfig,
    announce: Callable[[str], Any] = print,
    stop: threading.Event | None = None,
) -> None:
    """Run until Ctrl-C / SIGTERM (or ``stop`` is set); prints one line, never the secret."""
    stop = stop or threading.Event()
    server = EmulatorServer(config).start()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        announce(
            f"Firefly emulator at {server.url} (IMS {server.ims_url}, "
            f"client id {config.client_id}); Ctrl-C stops it"
        )
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m generation.emulator",
        description="Local emulator of Adobe Firefly Services (IMS token + Firefly image API).",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        config = config_from_options(vars(args))
    except ValueError as exc:
        parser.error(str(exc))
    serve(config, announce=lambda line: print(line, flush=True))
