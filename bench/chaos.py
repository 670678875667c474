"""Reliability under chaos: `python -m bench chaos` (opt-in; `make bench` does not run it).

Services mode with real processes: a PostgreSQL cluster and a `redis-server` started for this
run alone (restarting them touches nobody else), the Firefly emulator, two Celery workers with
their own hostnames, one beat and gunicorn. While 300 generations and 20 exports are asked for
through the studio's services (`bench.chaos_driver`), a chaos loop kills -9 a random worker, beat
or web process group every 20–40 s and starts it again, crashes and restarts the broker once and
the database once. After the chaos stops the stack drains, then every invariant is measured:
every job terminal, none lost, none sent to Firefly twice, media files exactly those the rows
name. Figures go to docs/bench-results/chaos.json (via `bench.__main__`) and the "Chaos run"
section of docs/reliability.md.

Needs root or the `postgres` user's binaries (`initdb` runs as `postgres` via `runuser`), the
shared Redis on 6379 for the cache (db 13), and free ports. Knobs: CHAOS_SECONDS (600),
CHAOS_GENERATIONS (300), CHAOS_EXPORTS (20), CHAOS_SEED. Every process it started is stopped on
the way out, also on Ctrl-C or failure; BENCH_KEEP=1 keeps the logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import redis

from bench.chaos_driver import export_schedule
from bench.chaos_support import (
    PrivatePostgres,
    PrivateRedis,
    celery_beat,
    celery_worker,
    gunicorn,
    replace_section,
    spawn,
    stop_group,
)
from bench.common import PYTHON, ROOT, check, targets_table
from bench.stack import Emulator, free_port, manage, production_env, run_driver, var_dir

BROKER_PORT = 6390
#: Settings of the run's processes (documented in docs/reliability.md): no pacing in the way of
#: a 10-minute run, and a sweeper quick enough to re-drive lost messages within the run.
SETTINGS = {
    "FIREFLY_RATE_LIMIT_PER_MINUTE": 6000,
    "FIREFLY_SWEEP_INTERVAL_SECONDS": 10,
    "FIREFLY_SWEEP_QUEUED_GRACE_SECONDS": 30,
    "CELERY_TASK_TIME_LIMIT": 60,
    "CELERY_TASK_SOFT_TIME_LIMIT": 50,
    "FIREFLY_CONNECT_TIMEOUT": 3,
    "FIREFLY_READ_TIMEOUT": 10,
}
EMULATOR = {"job_seconds_range": "2,6", "pending_seconds": 0.5, "rate_limit": 0}
OUTAGE_SECONDS = {"redis": 8, "postgres": 5}
DRAIN_MAX_SECONDS = 600
EXPORTS_SETTLED_SECONDS = 120


class _StoppedError(Exception):
    pass


def _sigterm(*_):
    raise _StoppedError("SIGTERM")


def run() -> dict:
    seconds = float(os.environ.get("CHAOS_SECONDS", 600))
    generations = int(os.environ.get("CHAOS_GENERATIONS", 300))
    exports = int(os.environ.get("CHAOS_EXPORTS", 20))
    rng = random.Random(int(os.environ.get("CHAOS_SEED", 16)))
    previous = signal.signal(signal.SIGTERM, _sigterm)
    # Ctrl-C stops the run cleanly even when started in the background (where SIGINT is ignored).
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    started: list = []  # everything to stop, in reverse order
    try:
        with var_dir("chaos") as var:
            try:
                return _run(var, seconds, generations, exports, rng, started)
            finally:  # before the folder goes: the processes write into it
                for thing in reversed(started):
                    with contextlib.suppress(Exception):
                        thing.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def _run(var: Path, seconds: float, generations: int, exports: int, rng, started: list) -> dict:
    var.chmod(0o755)  # the database cluster below runs as the `postgres` user
    for db in (12, 13):  # the shared Redis dbs assigned to this run (cache on 13)
        redis.Redis(port=6379, db=db).flushdb()
    port = BROKER_PORT if _port_free(BROKER_PORT) else free_port()
    broker = PrivateRedis(port, var / "redis.log")
    broker.start()
    started.append(broker)
    pg = PrivatePostgres(free_port(), var / "pg")
    started.append(pg)
    pg.init()
    database_url = pg.create_database("chaos_run")
    os.environ["BENCH_EMULATOR_RECORDS"] = "100000"  # keep every generate request's body
    emulator = Emulator(var, **EMULATOR)
    started.append(emulator)
    env = production_env(
        var,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/12",
        CACHE_URL="redis://127.0.0.1:6379/13",
        EXPORT_TEMP_DIR=var / "export-tmp",
        LOG_LEVEL="INFO",
        **emulator.settings(),
        **SETTINGS,
    )
    (var / "export-tmp").mkdir()
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    run_driver("bench.chaos_driver", env, "setup")
    procs = [
        celery_worker("chaos-a", env, var),
        celery_worker("chaos-b", env, var),
        celery_beat(env, var),
        gunicorn(env, var, free_port()),
    ]
    for proc in procs:
        started.append(proc)
        if not proc.start():
            raise RuntimeError(f"{proc.name} did not start; see {proc.log}")
    enqueue_log = var / "enqueued.jsonl"
    result_file = var / "enqueue-result.json"
    driver_args = [PYTHON, "-m", "bench.chaos_driver", "enqueue", "--result", str(result_file)]
    driver_args += ["--generations", str(generations), "--exports", str(exports)]
    driver_args += ["--seconds", str(seconds * 0.8), "--log", str(enqueue_log)]
    driver = spawn(driver_args, env, var / "driver.log")
    started.append(_Stoppable(driver))

    print(f"chaos for {seconds:.0f} s; logs in {var}", flush=True)
    t0, started_at = time.monotonic(), time.time()
    # The broker goes down 3 s before an export is asked for and stays down 8 s, so that
    # export's message (and a few generations') cannot be published.
    outages = {"redis": export_schedule(exports, seconds * 0.8)[exports * 2 // 5] - 3}
    outages["postgres"] = seconds * 0.62
    events = _chaos(procs, broker, pg, seconds, t0, rng, outages)
    chaos_end, chaos_end_at = time.monotonic(), time.time()
    if driver.wait() != 0:
        raise RuntimeError(f"enqueue driver failed; see {var / 'driver.log'}")
    enqueued = json.loads(result_file.read_text())
    drain = _drain(pg.url("chaos_run"), procs, chaos_end, events)
    print("checking …", flush=True)
    found = run_driver("bench.chaos_driver", env, "check", "--emulator", emulator.url)
    logs = [proc.log for proc in procs]
    result = _result(generations, exports, seconds, events, enqueued, drain, found, procs, logs)
    result["settings"] = {**SETTINGS, "emulator": EMULATOR, "broker_port": port}
    result["timeline"] = {
        key: round(found[key] - started_at, 1) if found[key] else None
        for key in ("last_generation_requested", "last_generation_finished", "last_export_finished")
    }
    result["timeline"]["chaos_end"] = round(chaos_end_at - started_at, 1)
    result["markdown"] = _markdown(result)
    replace_section(ROOT / "docs" / "reliability.md", "Chaos run", result["markdown"])
    return result


class _Stoppable:
    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc

    def stop(self) -> None:
        stop_group(self.proc)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _chaos(procs, broker, pg, seconds, t0, rng, outages: dict) -> list[dict]:
    """Kill -9 a random app process every 20–40 s; restart the broker and the database once."""
    events: list[dict] = []
    next_kill = rng.uniform(20, 40)

    def note(kind: str, what: str, **extra) -> None:
        events.append({"t": round(time.monotonic() - t0, 1), "kind": kind, "what": what, **extra})
        print(f"  {events[-1]}", flush=True)

    while (now := time.monotonic() - t0) < seconds:
        for proc in procs:
            if proc.exited_on_its_own():
                proc.unexpected_exits += 1
                note("exited", proc.name, code=proc.proc.returncode)
                proc.start()
        for name, at in list(outages.items()):
            if now >= at:
                del outages[name]
                began = time.monotonic()
                (broker if name == "redis" else pg).restart(down_seconds=OUTAGE_SECONDS[name])
                note("restart", name, took=round(time.monotonic() - began, 1))
        if now >= next_kill:
            victim = rng.choice(procs)
            victim.kill9()
            began = time.monotonic()
            ready = victim.start()
            note("kill -9", victim.name, ready_after=round(time.monotonic() - began, 1), ok=ready)
            next_kill = time.monotonic() - t0 + rng.uniform(20, 40)
        time.sleep(0.5)
    return events


def _counts(url: str) -> tuple[int, int, int] | None:
    """(generations not terminal, exports queued or running, export state fingerprint)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            gens = conn.execute(
                "SELECT count(*) FROM generation_generation "
                "WHERE status NOT IN ('succeeded', 'failed', 'cancelled')"
            ).fetchone()[0]
            rows = conn.execute("SELECT id, status, done FROM generation_export").fetchall()
    except psycopg.Error:
        return None
    active = sum(1 for _, status, _ in rows if status in ("queued", "running"))
    return gens, active, hash(tuple(sorted(rows)))


def _drain(url: str, procs, chaos_end: float, events: list) -> dict:
    """Wait until every job is terminal (exports: or unchanged for a while), keep procs up."""
    generations_done = exports_done = None
    fingerprint, changed = None, time.monotonic()
    while time.monotonic() - chaos_end < DRAIN_MAX_SECONDS:
        for proc in procs:
            if proc.exited_on_its_own():
                proc.unexpected_exits += 1
                events.append({"t": "drain", "kind": "exited", "what": proc.name})
                proc.start()
        counts = _counts(url)
        if counts is not None:
            gens, active, state = counts
            if state != fingerprint:
                fingerprint, changed = state, time.monotonic()
            if gens == 0 and generations_done is None:
                generations_done = time.monotonic() - chaos_end
            if active == 0 and exports_done is None:
                exports_done = time.monotonic() - chaos_end
            settled = time.monotonic() - changed > EXPORTS_SETTLED_SECONDS
            if gens == 0 and (active == 0 or settled):
                break
        time.sleep(5)
    rounded = {"generations": generations_done, "exports": exports_done}
    return {
        **{k: round(v, 1) if v is not None else None for k, v in rounded.items()},
        "waited": round(time.monotonic() - chaos_end, 1),
    }


def _result(generations, exports, seconds, events, enqueued, drain, found, procs, logs) -> dict:
    kills = Counter(e["what"] for e in events if e["kind"] == "kill -9")
    by_kind = Counter()
    for proc in procs:
        by_kind[proc.kind] += proc.kills
    lost_generations = (generations - found["generations"]) + len(found["not_terminal"])
    lost_exports = (exports - found["exports"]) + len(found["exports_not_terminal"])
    needles = ("Traceback", "Connection to broker lost", "Unrecoverable error", "OperationalError")
    log_counts = {
        n: sum(p.read_text(errors="replace").count(n) for p in logs if p.exists()) for n in needles
    }
    targets = [
        check("generations not terminal or missing", lost_generations, 0, fmt="{:.0f}"),
        check("exports not terminal or missing", lost_exports, 0, fmt="{:.0f}"),
        check("generations sent to Firefly twice", len(found["posted_twice"]), 0, fmt="{:.0f}"),
        check("files without rows", len(found["files_without_rows"]), 0, fmt="{:.0f}"),
        check("rows without files", len(found["rows_without_files"]), 0, fmt="{:.0f}"),
    ]
    return {
        "name": "chaos",
        "requested": {"generations": generations, "exports": exports},
        "chaos_seconds": seconds,
        "events": events,
        "kills": dict(kills),
        "kills_by_kind": dict(by_kind),
        "unexpected_exits": {p.name: p.unexpected_exits for p in procs},
        "enqueue": {k: v for k, v in enqueued.items() if not k.endswith("_ids")},
        "drain_seconds": drain,
        "found": found,
        "lost": {"generations": lost_generations, "exports": lost_exports},
        "log_counts": log_counts,
        "targets": targets,
    }


def _markdown(r: dict) -> str:
    f = r["found"]
    s = r["settings"]
    restarts = [e for e in r["events"] if e["kind"] == "restart"]
    kills = ", ".join(f"{k} {v}" for k, v in sorted(r["kills_by_kind"].items()))
    per_process = ", ".join(f"{k} {v}" for k, v in sorted(r["kills"].items()))
    secs = f["succeeded_seconds"]
    median = secs[len(secs) // 2] if secs else float("nan")
    drain = r["drain_seconds"]
    tl = r["timeline"]
    lines = [
        "`python -m bench chaos` (`bench/chaos.py`): services mode with real processes — a "
        "PostgreSQL cluster and a `redis-server` (broker) started for the run alone, the shared "
        "Redis db 13 as cache, the Firefly emulator, two Celery workers (`chaos-a`, `chaos-b`, "
        "prefork, 2 processes each), one beat and gunicorn (2 workers), local media. "
        f"{r['requested']['generations']} generations (Image 3, 1024², 1 variation, 4 people, 3 "
        f"campaigns) and {r['requested']['exports']} exports were asked for through "
        "`generation_create` and `export_create` over the first 80 % of "
        f"{r['chaos_seconds']:.0f} s of chaos: every 20–40 s a random worker, beat or web "
        "process group was killed with SIGKILL and started again; the broker was crashed "
        "(SIGKILL, no persistence: every queued message lost) and restarted after 8 s once — "
        "timed so that one export and a few generations are asked for while it is down — and "
        "the database stopped with `pg_ctl -m immediate` and restarted after 5 s once.",
        "",
        f"Settings of the run: `FIREFLY_RATE_LIMIT_PER_MINUTE={s['FIREFLY_RATE_LIMIT_PER_MINUTE']}`"
        f", `FIREFLY_SWEEP_INTERVAL_SECONDS={s['FIREFLY_SWEEP_INTERVAL_SECONDS']}`, "
        f"`FIREFLY_SWEEP_QUEUED_GRACE_SECONDS={s['FIREFLY_SWEEP_QUEUED_GRACE_SECONDS']}`, "
        f"`CELERY_TASK_TIME_LIMIT={s['CELERY_TASK_TIME_LIMIT']}` (so the active grace is 90 s), "
        f"`FIREFLY_CONNECT_TIMEOUT={s['FIREFLY_CONNECT_TIMEOUT']}`, "
        f"`FIREFLY_READ_TIMEOUT={s['FIREFLY_READ_TIMEOUT']}`; emulator jobs last 0.5 s pending "
        "+ 2–6 s running, no emulator rate limit. (The studio has no daily-limit setting to "
        "raise.)",
        "",
        *targets_table(r["targets"]),
        "",
        "| figure | value |",
        "|---|---|",
        f"| generations found / terminal | {f['generations']} / "
        f"{f['generations'] - len(f['not_terminal'])} |",
        f"| outcomes | {', '.join(f'{k} {v}' for k, v in sorted(f['outcomes'].items()))} |",
        f"| generate POSTs received by Firefly / jobs created | {f['generate_posts']} / "
        f"{f['jobs']} |",
        f"| generations POSTed twice / with two jobs | {len(f['posted_twice'])} / "
        f"{len(f['jobs_twice'])} |",
        f"| exports | {', '.join(f'{k} {v}' for k, v in sorted(f['export_states'].items()))} |",
        f"| media files / files without rows / rows without files | {f['media_files']} / "
        f"{len(f['files_without_rows'])} / {len(f['rows_without_files'])} |",
        f"| duplicate image rows / images without 2 renditions | {f['duplicate_image_rows']} / "
        f"{len(f['images_without_two_renditions'])} |",
        f"| kills (kill -9 of the process group) | {kills} ({per_process}) |",
        f"| processes that exited on their own | {r['unexpected_exits']} |",
        "| broker / database restarts | "
        + ", ".join(f"{e['what']} at {e['t']} s (took {e['took']} s)" for e in restarts)
        + " |",
        f"| enqueue database errors retried | {len(r['enqueue']['database_errors_retried'])} |",
        f"| time to drain after the chaos stopped | generations {drain['generations']} s, "
        f"exports {drain['exports']} s (waited {drain['waited']} s) |",
        f"| timeline (s from the start of the chaos) | last generation asked for "
        f"{tl['last_generation_requested']}, last generation finished "
        f"{tl['last_generation_finished']}, last export finished {tl['last_export_finished']}, "
        f"chaos stopped {tl['chaos_end']} |",
        f"| median request → succeeded | {median:.1f} s |",
        f"| log lines | {', '.join(f'{k}: {v}' for k, v in r['log_counts'].items())} |",
    ]
    if f["export_errors"] or f["exports_not_terminal"] or f["error_messages"]:
        lines += ["", "What did not succeed:", ""]
        for message, n in f["error_messages"].items():
            lines.append(f"- {n} generation(s) failed: “{message}”")
        for message, n in f["export_errors"].items():
            lines.append(f"- {n} export(s) failed: “{message}”")
        if f["exports_not_terminal"]:
            stuck = f["exports_not_terminal"]
            lines.append(f"- exports still queued/running after the drain: {stuck}")
    return "\n".join(lines)
