"""Which no-server Celery transport for embedded mode? Measure what the README claims.

For each transport: 100 tasks published with countdowns of 0.2–2 s from another process than the
worker — did each run exactly once, and how late? Then the hard-kill case: 20 countdown tasks held
by a worker that is SIGKILLed — how many ever run after a restart?
"""

import json
import os
import random
import shutil
import signal
import tempfile
import time
from pathlib import Path

from bench.common import PYTHON, start, summary, wait_until

TASKS = 100
KILLED = 20


def _records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _worker(env, log):
    return start(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "bench.broker_app",
            "worker",
            "-c",
            "2",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        log,
    )


def _wait_ready(log: Path) -> None:
    """Until the worker consumes: a cold start can take longer than a fixed pause, and tasks
    published before it would count as late."""
    wait_until(lambda: log.exists() and "ready." in log.read_text(errors="replace"), timeout=60)


def _publish(env: dict[str, str], tasks: list[tuple[int, float]]) -> None:
    """Publish from a separate process, as the web process does."""
    import subprocess

    script = (
        "import sys, json, time\n"
        "from bench.broker_app import record\n"
        "for n, countdown in json.loads(sys.argv[1]):\n"
        "    record.apply_async((n, time.time() + countdown), countdown=countdown)\n"
    )
    subprocess.run([PYTHON, "-c", script, json.dumps(tasks)], env=env, check=True, timeout=120)


def measure(broker_url: str, workdir: Path) -> dict:
    records = workdir / "records.jsonl"
    env = dict(
        os.environ,
        BENCH_BROKER_URL=broker_url,
        BENCH_RECORD_FILE=str(records),
        BENCH_BROKER_FOLDER=str(workdir / "broker"),
    )
    if broker_url.startswith("redis://"):
        import redis

        redis.Redis.from_url(broker_url).flushdb()
    rng = random.Random(7)
    worker = _worker(env, workdir / "worker.log")
    try:
        _wait_ready(workdir / "worker.log")
        _publish(env, [(n, rng.uniform(0.2, 2.0)) for n in range(TASKS)])
        wait_until(lambda: len(_records(records)) >= TASKS, timeout=60)
        time.sleep(2)  # anything that would run twice gets the chance to
        ran = _records(records)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    counts: dict[int, int] = {}
    for row in ran:
        counts[row["n"]] = counts.get(row["n"], 0) + 1
    lateness_ms = [(row["ran"] - row["due"]) * 1000 for row in ran]

    # Hard kill: the worker holds the countdown messages in memory when it dies.
    records.unlink(missing_ok=True)
    worker = _worker(env, workdir / "worker-killed.log")
    _wait_ready(workdir / "worker-killed.log")
    _publish(env, [(1000 + n, 4.0) for n in range(KILLED)])
    time.sleep(1.5)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    restarted = _worker(env, workdir / "worker-restarted.log")
    try:
        time.sleep(10)
        after_kill = len(_records(records))
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=60)
    return {
        "broker": broker_url.split("://")[0],
        "published": TASKS,
        "ran_once": sum(1 for c in counts.values() if c == 1),
        "ran_twice_or_more": sum(1 for c in counts.values() if c > 1),
        "never_ran": TASKS - len(counts),
        "lateness_ms": summary(lateness_ms),
        "killed_pending": KILLED,
        "ran_after_hard_kill": after_kill,
    }


def run(redis_url: str | None = None) -> dict:
    results = []
    for url in ["filesystem://", redis_url]:
        if not url:
            continue
        workdir = Path(tempfile.mkdtemp(prefix="bench-broker-"))
        try:
            results.append(measure(url, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return {"name": "broker", "results": results, "markdown": to_markdown(results)}


def to_markdown(results: list[dict]) -> str:
    lines = [
        "## Celery transport for embedded mode",
        "",
        f"{TASKS} countdown tasks (0.2–2 s) published from a separate process to a worker with "
        f"`-c 2`; then {KILLED} countdown tasks (4 s) held by a worker that is SIGKILLed and "
        "restarted (counted 10 s after the restart).",
        "",
        "| transport | ran once | ran twice+ | never ran | lateness median / p95 / max (ms) "
        "| ran after hard kill |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        late = r["lateness_ms"]
        lines.append(
            f"| `{r['broker']}://` | {r['ran_once']}/{r['published']} | {r['ran_twice_or_more']} "
            f"| {r['never_ran']} | {late['median']:.0f} / {late['p95']:.0f} / {late['max']:.0f} "
            f"| {r['ran_after_hard_kill']}/{r['killed_pending']} |"
        )
    lines += [
        "",
        "A hard kill loses countdown messages the worker was holding on the file-system transport "
        "(and on Redis until the visibility timeout, an hour, redelivers them). That is why the "
        "database is the source of truth for every generation and the beat sweeper re-drives "
        "overdue ones.",
    ]
    return "\n".join(lines)
