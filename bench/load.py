"""Part 6, under load: gunicorn with the production settings serving the gallery and the status
endpoints to 50 concurrent clients over loopback.

gunicorn runs as the Dockerfile runs it (`--workers 3`, sync) with `DJANGO_DEBUG=0`, a random
50+ character secret key, `DJANGO_ALLOWED_HOSTS=127.0.0.1`, `DJANGO_SECURE_SSL_REDIRECT=0`,
`DJANGO_SILENCED_SYSTEM_CHECKS=generation.E001` (it is pointed at the emulator) and
`collectstatic` into a temporary STATIC_ROOT, on the 10,000-image SQLite data set of part 5
(and, in a full run, the same data on PostgreSQL).

The load generator (`bench.loadgen`, its own process: 50 threads, one connection per request as
gunicorn's sync workers close them) plays 50 people with the gallery open while work is running:
a gallery page (random campaign page, filter, search or deep page), then every 1.5 s the live
endpoint and a generation's status, three times, then another page. Target: p95 ≤ 200 ms and
no errors. A second phase without think time measures the ceiling (reported, no target: with
50 clients that never pause, latency is simply 50 / throughput).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile

from bench.common import PYTHON, ROOT, check, targets_table
from bench.stack import (
    cpu_seconds,
    drop_postgres_database,
    free_port,
    manage,
    postgres_database,
    production_env,
    run_driver,
    start_gunicorn,
    stop,
    var_dir,
)

CLIENTS = 50


def loadgen(plan: dict) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    try:
        done = subprocess.run(
            [PYTHON, "-m", "bench.loadgen", handle.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=plan["duration"] + 120,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _backend(backend: str, duration: float, hammer: float) -> dict:
    with var_dir(f"load-{backend}") as var:
        db_name = f"bench_load_{os.getpid()}"
        settings = {}
        if backend == "postgresql":
            settings["DATABASE_URL"] = postgres_database(db_name)
        env = production_env(var, DJANGO_ALLOWED_HOSTS="127.0.0.1", **settings)
        gunicorn = None
        try:
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")
            run_driver("bench.gallery", env, "seed", "--images", "10000", "--big", "6600")
            urls = run_driver("bench.load", env, "urls")
            port = free_port()
            gunicorn = start_gunicorn(env, var / "gunicorn.log", port=port)
            plan = {"port": port, "clients": CLIENTS, **urls}
            loadgen({**plan, "mode": "browse", "duration": 5, "clients": 10})  # warm workers
            cpu0 = sum(cpu_seconds(pid) or 0 for pid in _gunicorn_pids(gunicorn))
            browse = loadgen({**plan, "mode": "browse", "duration": duration})
            cpu1 = sum(cpu_seconds(pid) or 0 for pid in _gunicorn_pids(gunicorn))
            saturate = loadgen({**plan, "mode": "hammer", "duration": hammer})
            log = (var / "gunicorn.log").read_text(errors="replace")
        finally:
            stop(gunicorn)
            if backend == "postgresql":
                drop_postgres_database(db_name)
    browse["server_cpu_per_s"] = (cpu1 - cpu0) / browse["seconds"]
    return {
        "backend": backend,
        "browse": browse,
        "hammer": saturate,
        "log_errors": log.count("Traceback") + log.count("[CRITICAL]"),
    }


def _gunicorn_pids(proc) -> list[int]:
    from bench.stack import worker_children

    return [proc.pid, *worker_children(proc)]


def run(quick: bool = False) -> dict:
    duration = 15 if quick else 30
    hammer = 8 if quick else 10
    backends = ["sqlite"] if quick else ["sqlite", "postgresql"]
    runs = [_backend(b, duration, hammer) for b in backends]
    targets = []
    for r in runs:
        b = r["browse"]
        targets.append(
            check(
                f"{r['backend']}: p95 of every request, {CLIENTS} clients",
                b["all"]["p95_ms"],
                200,
                " ms",
                fmt="{:.0f}",
            )
        )
        targets.append(
            check(
                f"{r['backend']}: errors (non-200, resets, timeouts)",
                b["errors"] + r["log_errors"],
                0,
                fmt="{:.0f}",
            )
        )
    result = {"name": "load", "clients": CLIENTS, "runs": runs, "targets": targets}
    result["markdown"] = to_markdown(result)
    return result


def to_markdown(r: dict) -> str:
    lines = [
        "## 6. Under load",
        "",
        "gunicorn as in the Dockerfile (`--workers 3`, sync) with production settings "
        "(`DJANGO_DEBUG=0`, random secret key, `DJANGO_ALLOWED_HOSTS=127.0.0.1`, "
        "`DJANGO_SECURE_SSL_REDIRECT=0`, `DJANGO_SILENCED_SYSTEM_CHECKS=generation.E001`, "
        "`collectstatic` into a temporary STATIC_ROOT); the 10,000-image data set of part 5. "
        f"{r['clients']} clients (`bench/loadgen.py`, threads over loopback, signed-in "
        "session cookies): a gallery page, then every 1.5 s the live endpoint and a "
        "generation's status (as `static/js/live.js`), three times, then another page. "
        "Load generator and server share the 2 CPUs.",
        "",
        *targets_table(r["targets"]),
        "",
        "| backend | phase | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | gallery p95 "
        "| live p95 | status p95 | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run_ in r["runs"]:
        for phase, label in (("browse", "50 people, 1.5 s think"), ("hammer", "no think time")):
            x = run_[phase]
            k = x["by_kind"]
            lines.append(
                f"| {run_['backend']} | {label} | {x['all']['n']} | {x['throughput_rps']:.0f} "
                f"| {x['all']['p50_ms']:.0f} | {x['all']['p95_ms']:.0f} "
                f"| {x['all']['p99_ms']:.0f} | {k['gallery']['p95_ms']:.0f} "
                f"| {k['live']['p95_ms']:.0f} | {k['status']['p95_ms']:.0f} | {x['errors']} |"
            )
    lines += [
        "",
        "Without think time, 50 clients keep 50 requests in the system at all times, so the "
        "latency is about 50 / throughput whatever the code does; that phase shows the "
        "ceiling of 3 sync workers on 2 CPUs, not a user-facing latency.",
    ]
    return "\n".join(lines)


# --- driver ----------------------------------------------------------------------------------


def urls() -> dict:
    """Session cookies for the members and the URLs the clients pick from."""
    from bench import djangoside

    djangoside.setup()
    from django.conf import settings
    from django.test import Client

    from generation.models import Campaign, Generation, Image

    cookies = []
    for i in range(4):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(djangoside.person(f"member{i}"))
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    big = Campaign.objects.get(slug="campaign-0")
    ids = list(Image.objects.filter(campaign=big).order_by("-id").values_list("id", flat=True))
    pages = [f"/campaigns/campaign-{i}/" for i in range(0, 50, 5)]
    pages += [f"/campaigns/campaign-0/?before={ids[n * 60 - 1]}" for n in (1, 5, 20, 50, 99)]
    pages += [
        "/campaigns/campaign-0/?q=kettle",
        "/campaigns/campaign-0/?q=golden+hour",
        "/campaigns/campaign-0/?preset=watercolor",
        "/campaigns/campaign-0/?favourite=1",
        "/campaigns/campaign-0/?model=1&preset=bw",
    ]
    active = list(
        Generation.objects.filter(campaign=big, status__in=Generation.ACTIVE_STATUSES).values_list(
            "pk", flat=True
        )
    )
    done = list(
        Generation.objects.filter(campaign=big, status="succeeded")
        .order_by("-id")
        .values_list("pk", flat=True)[:40]
    )
    watch = ",".join(str(pk) for pk in active)
    live = [f"/campaigns/campaign-0/live?since={ids[0]}&watch={watch}"]
    live += [f"/campaigns/campaign-{i}/live?since=0&watch=" for i in (5, 10)]
    status = [f"/generations/{pk}/status.json" for pk in active + done]
    return {"cookies": cookies, "pages": pages, "live": live, "status": status}


if __name__ == "__main__":
    from bench import djangoside

    args = djangoside.driver_args()
    djangoside.write_result(args.result, urls())
