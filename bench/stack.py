"""The product's processes for a benchmark: a private var dir, the emulator, a Celery worker,
gunicorn, and "driver" children that run Django code with the same environment.

Every benchmark gets its own `FIREFLY_VAR_DIR` (SQLite file, file-system broker, cache, media)
in a temporary folder, so nothing collides with `make run`, the test suite or another part.
Django settings are read once per process, so code that needs Django runs in a child process
(`run_driver`) started with the part's environment; the orchestrating process never imports it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from bench.common import PYTHON, ROOT, start, wait_until

PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def var_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
    try:
        yield path
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(path, ignore_errors=True)


def base_env(var: Path, **settings: object) -> dict[str, str]:
    """The environment of every process of one benchmark run (embedded mode by default)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FIREFLY_", "CELERY_", "DATABASE_", "CACHE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fireflyweb.settings",
            "FIREFLY_VAR_DIR": str(var),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if os.environ.get("BENCH_BROKER_URL"):  # e.g. redis://127.0.0.1:6379/11 (flushed per run)
        env["CELERY_BROKER_URL"] = os.environ["BENCH_BROKER_URL"]
    for key, value in settings.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(int(value) if isinstance(value, bool) else value)
    return env


def production_env(var: Path, **settings: object) -> dict[str, str]:
    """Production settings as the issue asks for them, pointed at a local stack."""
    values: dict[str, object] = {
        "DJANGO_DEBUG": 0,
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": 0,
        "DJANGO_SILENCED_SYSTEM_CHECKS": "generation.E001,generation.W001,generation.W002",
        "STATIC_ROOT": var / "staticfiles",
    }
    values.update(settings)
    return base_env(var, **values)


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def postgres_database(name: str) -> str:
    """A fresh, empty PostgreSQL database; returns its DATABASE_URL."""
    import psycopg

    with psycopg.connect(PG_URL.format(name="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.format(name=name)


def drop_postgres_database(name: str) -> None:
    import psycopg

    with (
        contextlib.suppress(Exception),
        psycopg.connect(PG_URL.format(name="postgres"), autocommit=True) as conn,
    ):
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Emulator:
    """The Firefly emulator in its own process (`bench.emulator_proc`), with its control API."""

    def __init__(self, var: Path, **options: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.jobs_log = var / "emulator-jobs.jsonl"
        args = [PYTHON, "-m", "bench.emulator_proc", "--port", str(self.port)]
        args += ["--jobs-log", str(self.jobs_log)]
        for key, value in options.items():
            if value is not None:
                args += [f"--{key.replace('_', '-')}", str(value)]
        self.proc = start(args, dict(os.environ), var / "emulator.log")
        if not wait_until(self._healthy, timeout=30):
            raise RuntimeError(f"emulator did not start; see {var / 'emulator.log'}")

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/_emulator/health", timeout=1).ok
        except requests.RequestException:
            return False

    def settings(self) -> dict[str, str]:
        return {
            "FIREFLY_API_BASE": self.url,
            "FIREFLY_IMS_URL": f"{self.url}/ims/token/v3",
            "FIREFLY_EMULATOR_PORT": str(self.port),
        }

    def counters(self) -> dict:
        return requests.get(f"{self.url}/_emulator/counters", timeout=10).json()

    def jobs(self) -> list[dict]:
        return requests.get(f"{self.url}/_emulator/jobs", timeout=30).json()["jobs"]

    def configure(self, **changes: object) -> dict:
        return requests.post(f"{self.url}/_emulator/config", json=changes, timeout=10).json()

    def job_log(self) -> dict[str, dict]:
        if not self.jobs_log.exists():
            return {}
        rows = [json.loads(line) for line in self.jobs_log.read_text().splitlines() if line]
        return {row["job_id"]: row for row in rows}

    def stop(self) -> None:
        stop(self.proc)


def start_worker(
    env: dict[str, str],
    log: Path,
    *,
    concurrency: int = 2,
    app: str = "fireflyweb",
    level: str = "INFO",
) -> subprocess.Popen:
    """`celery -A fireflyweb worker` with prefork children, as the Procfile runs it."""
    broker = env.get("CELERY_BROKER_URL", "")
    if broker.startswith("redis://"):
        import redis

        redis.Redis.from_url(broker).flushdb()
    proc = start(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "-P",
            "prefork",
            "-c",
            str(concurrency),
            "-l",
            level,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"bench-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        env,
        log,
    )
    ready = wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=60)
    if not ready:
        stop(proc)
        raise RuntimeError(f"worker did not start; see {log}")
    return proc


def worker_children(proc: subprocess.Popen) -> list[int]:
    path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    try:
        return [int(pid) for pid in path.read_text().split()]
    except OSError:
        return []


def proc_status_kb(pid: int, field: str) -> int | None:
    """A `VmHWM`/`VmRSS` line of /proc/<pid>/status, in KiB (None once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (from /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def start_gunicorn(
    env: dict[str, str], log: Path, *, port: int, workers: int = 3
) -> subprocess.Popen:
    """gunicorn exactly as the Dockerfile runs it (sync workers), on loopback."""
    proc = start(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "fireflyweb.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--error-logfile",
            "-",
        ],
        env,
        log,
    )
    url = f"http://127.0.0.1:{port}/healthz/live"

    def up() -> bool:
        try:
            return requests.get(url, timeout=2).status_code < 500
        except requests.RequestException:
            return False

    if not wait_until(up, timeout=60, interval=0.2):
        stop(proc)
        raise RuntimeError(f"gunicorn did not start; see {log}")
    return proc


def run_driver(
    module: str, env: dict[str, str], *args: str, timeout: float = 900, log: Path | None = None
) -> dict:
    """Run `python -m <module> <args> --result FILE` with `env`; return the JSON it wrote."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    try:
        out = log.open("w") if log else subprocess.PIPE
        done = subprocess.run(
            [PYTHON, "-m", module, *args, "--result", str(result)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            detail = done.stdout if log is None else log.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"{module} {' '.join(args)} failed:\n{detail}")
        return json.loads(result.read_text())
    finally:
        result.unlink(missing_ok=True)


def count_in_logs(paths: list[Path], needle: str) -> int:
    total = 0
    for path in paths:
        if path.exists():
            total += path.read_text(errors="replace").count(needle)
    return total
