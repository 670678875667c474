"""Processes the chaos run owns: its own Redis and PostgreSQL servers, and the app's processes.

The broker and the database of the chaos run are servers this run starts itself (a
`redis-server` and an `initdb` cluster on their own ports), so restarting them never touches the
shared servers other people use. Every process is started in its own session: a kill -9 takes
its whole process group (a Celery worker with its prefork children, gunicorn with its workers),
as when a machine or container dies, and clean-up can find every child.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from bench.common import PYTHON, ROOT, wait_until

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def spawn(args: list[str], env: dict[str, str] | None, log: Path) -> subprocess.Popen:
    handle = log.open("a")
    handle.write(f"\n===== start {time.strftime('%H:%M:%S')}: {' '.join(args)}\n")
    handle.flush()
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_group(proc: subprocess.Popen | None, sig: int = signal.SIGKILL) -> None:
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def stop_group(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM the group, then SIGKILL whatever is left of it."""
    if proc is None:
        return
    kill_group(proc, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)
    kill_group(proc, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


class AppProcess:
    """One of the app's processes (worker, beat, web), restartable after a kill -9."""

    def __init__(self, name: str, kind: str, args: list[str], env: dict, log: Path, ready):
        self.name, self.kind, self.args, self.env, self.log = name, kind, args, env, log
        self.ready = ready  # callable(AppProcess) -> bool
        self.proc: subprocess.Popen | None = None
        self.kills = 0
        self.unexpected_exits = 0

    def start(self, wait: float = 90) -> bool:
        self.proc = spawn(self.args, self.env, self.log)
        return wait_until(lambda: self.ready(self), timeout=wait, interval=0.5)

    def kill9(self) -> None:
        kill_group(self.proc)
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.kills += 1

    def exited_on_its_own(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def stop(self) -> None:
        stop_group(self.proc)


def celery_worker(name: str, env: dict, var: Path) -> AppProcess:
    """`celery worker` as the Procfile runs it, with its own hostname and log."""
    log = var / f"{name}.log"
    args = [PYTHON, "-m", "celery", "-A", "fireflyweb", "worker", "-P", "prefork", "-c", "2"]
    args += ["-l", "INFO", "--hostname", f"{name}@%h"]

    def ready(p: AppProcess) -> bool:
        text = log.read_text(errors="replace")
        return text.rfind("ready.") > text.rfind("===== start")

    return AppProcess(name, "worker", args, env, log, ready)


def celery_beat(env: dict, var: Path) -> AppProcess:
    log = var / "beat.log"
    args = [PYTHON, "-m", "celery", "-A", "fireflyweb", "beat", "-l", "INFO"]
    args += ["--schedule", str(var / "celerybeat-schedule")]

    def ready(p: AppProcess) -> bool:
        text = log.read_text(errors="replace")
        return text.rfind("beat: Starting") > text.rfind("===== start")

    return AppProcess("beat", "beat", args, env, log, ready)


def gunicorn(env: dict, var: Path, port: int) -> AppProcess:
    log = var / "web.log"
    args = [PYTHON, "-m", "gunicorn", "fireflyweb.wsgi:application"]
    args += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--error-logfile", "-"]

    def ready(p: AppProcess) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code < 500
        except requests.RequestException:
            return False

    return AppProcess("web", "web", args, env, log, ready)


class PrivateRedis:
    """A `redis-server` without persistence on its own port: restarting it empties the broker."""

    def __init__(self, port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.proc: subprocess.Popen | None = None
        self.restarts = 0

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.proc = spawn(args, None, self.log)
        if not wait_until(self.up, timeout=20):
            raise RuntimeError(f"redis-server on {self.port} did not start; see {self.log}")

    def up(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def restart(self, down_seconds: float) -> None:
        """Crash it (SIGKILL: no save), leave it down a while, start it empty."""
        kill_group(self.proc)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        time.sleep(down_seconds)
        self.start()
        self.restarts += 1

    def stop(self) -> None:
        stop_group(self.proc)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (`initdb` + `pg_ctl`) run by the `postgres` user."""

    def __init__(self, port: int, root: Path) -> None:
        if not PG_BIN:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = PG_BIN[-1]
        self.port = port
        self.root = root
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.restarts = 0
        self.started = False

    def _as_postgres(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        args = ["pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options]
        self._as_postgres(*args, "-w", "-t", "60", "start")
        self.started = True

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def restart(self, down_seconds: float) -> None:
        """Stop it as a crash would (`-m immediate`: no checkpoint), wait, start it again."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        time.sleep(down_seconds)
        self.start()
        self.restarts += 1

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(Exception):
                self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.started = False


def emulator_requests(url: str) -> list[dict]:
    """Every generate POST the emulator recorded (with its JSON body)."""
    answer = requests.get(f"{url}/_emulator/requests?operation=generate", timeout=60)
    return answer.json()["requests"]


def replace_section(path: Path, heading: str, body: str) -> None:
    """Put `body` under `## heading` in `path`, replacing that section if it exists."""
    text = path.read_text() if path.exists() else ""
    marker = f"## {heading}\n"
    section = f"{marker}\n{body.strip()}\n"
    if marker in text:
        before, rest = text.split(marker, 1)
        nxt = rest.find("\n## ")
        after = rest[nxt + 1 :] if nxt >= 0 else ""
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
