"""Part 7, embedded mode holds: 200 generations with the web process and the worker writing to
the same SQLite file at once, as `make run` runs them.

The Procfile's web (`manage.py runserver`) and worker (`celery worker -c 2`) in embedded mode
(SQLite in WAL mode with IMMEDIATE transactions, file-system broker, file cache) and the emulator
(jobs of 2 s, the app's own pace for it: 600 requests a minute, polls counted, so the shared
rate limiter writes its slots to the same file). Through HTTP, as browsers would:

* 4 people submit the generation form 50 times each (GET the form, POST it: session, generation,
  preset and audit rows), four 1024×1024 images a generation;
* 4 people mark images favourite and back as they appear (POSTs);
* 4 people watch the gallery's live endpoint and generations' status.

Meanwhile the worker submits, polls (rate-limiter slots), saves 800 images with their renditions.
Target: no "database is locked" anywhere (worker and web logs), no server error, every
generation done.
"""

from __future__ import annotations

import random
import re
import threading
import time

import requests

from bench.common import PYTHON, check, targets_table
from bench.stack import (
    Emulator,
    base_env,
    count_in_logs,
    free_port,
    manage,
    run_driver,
    start,
    start_worker,
    stop,
    var_dir,
)

GENERATIONS = 200
CREATORS = 4
LOCKED = "database is locked"
_TOKEN = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"')


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, dict[int, int]] = {}
        self.errors: list[str] = []

    def note(self, kind: str, response: requests.Response | None, error: str = "") -> None:
        with self.lock:
            codes = self.codes.setdefault(kind, {})
            code = response.status_code if response is not None else 0
            codes[code] = codes.get(code, 0) + 1
            if (code == 0 or code >= 500) and len(self.errors) < 10:
                self.errors.append(f"{kind}: {code} {error}")

    def server_errors(self) -> int:
        return sum(
            n for codes in self.codes.values() for c, n in codes.items() if c >= 500 or not c
        )


def _session(base: str, cookie: str) -> requests.Session:
    session = requests.Session()
    name, value = cookie.split("=", 1)
    session.cookies.set(name, value, domain="127.0.0.1")
    session.headers["Referer"] = base + "/"
    return session


def _create(base, cookie, slug, count, stats, rng, created):
    session = _session(base, cookie)
    form_url = f"{base}/campaigns/{slug}/generate/"
    for n in range(count):
        try:
            page = session.get(form_url, timeout=30)
            stats.note("form", page)
            tokens = dict(_TOKEN.findall(page.text))
            data = {
                "csrfmiddlewaretoken": tokens.get("csrfmiddlewaretoken", ""),
                "form_token": tokens.get("form_token", ""),
                "prompt": f"a teal kettle on a sunny table, take {rng.randint(0, 10**6)}",
                "model": "image3",
                "size": "1024x1024",
                "num_variations": "4",
                "style_strength": "50",
            }
            sent = session.post(form_url, data=data, timeout=30, allow_redirects=False)
            stats.note("create", sent)
            if sent.status_code == 302:
                with stats.lock:
                    created[0] += 1
        except requests.RequestException as exc:
            stats.note("create", None, str(exc))
        time.sleep(rng.uniform(0.02, 0.15))
        if n % 10 == 9:
            time.sleep(0.5)


def _favourites(base, cookie, slug, stats, rng, stop_at):
    session = _session(base, cookie)
    csrf = None
    while time.monotonic() < stop_at:
        try:
            if csrf is None:
                page = session.get(f"{base}/campaigns/{slug}/", timeout=30)
                stats.note("gallery", page)
                csrf = dict(_TOKEN.findall(page.text)).get("csrfmiddlewaretoken")
            live = session.get(f"{base}/campaigns/{slug}/live?since=0&watch=", timeout=30)
            stats.note("live", live)
            images = live.json().get("images", []) if live.ok else []
            for image in rng.sample(images, min(3, len(images))):
                sent = session.post(
                    f"{base}/images/{image['id']}/favourite/",
                    data={"favourite": rng.choice("01"), "csrfmiddlewaretoken": csrf},
                    headers={"Accept": "application/json"},
                    timeout=30,
                )
                stats.note("favourite", sent)
        except (requests.RequestException, ValueError) as exc:
            stats.note("favourite", None, str(exc))
        time.sleep(rng.uniform(0.2, 0.6))


def _watch(base, cookie, slug, stats, rng, stop_at):
    session = _session(base, cookie)
    since = 0
    while time.monotonic() < stop_at:
        try:
            live = session.get(f"{base}/campaigns/{slug}/live?since={since}&watch=", timeout=30)
            stats.note("live", live)
            data = live.json() if live.ok else {}
            for generation in data.get("generations", [])[:2]:
                status = session.get(
                    f"{base}/generations/{generation['id']}/status.json", timeout=30
                )
                stats.note("status", status)
        except (requests.RequestException, ValueError) as exc:
            stats.note("live", None, str(exc))
        time.sleep(1.5)


def run(quick: bool = False) -> dict:
    total = 60 if quick else GENERATIONS
    with var_dir("embedded") as var:
        emulator = Emulator(var, job_seconds=2.0, pending_seconds=0.2)
        env = base_env(var, LOG_LEVEL="INFO", **emulator.settings())
        worker = web = None
        try:
            manage(env, "migrate", "--noinput")
            setup = run_driver("bench.embedded", env, "setup")
            worker = start_worker(env, var / "worker.log")
            port = free_port()
            web = start(
                [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                env,
                var / "web.log",
            )
            base = f"http://127.0.0.1:{port}"
            _wait_http(base)
            stats = Stats()
            created = [0]
            t0 = time.monotonic()
            threads = []
            for i in range(CREATORS):
                threads.append(
                    threading.Thread(
                        target=_create,
                        args=(
                            base,
                            setup["cookies"][i],
                            setup["slug"],
                            total // CREATORS,
                            stats,
                            random.Random(i),
                            created,
                        ),
                    )
                )
            # The browsing threads stop once every generation is done.
            box = {"stop": 1}
            others = [
                threading.Thread(
                    target=_favourites_until,
                    args=(
                        base,
                        setup["cookies"][4 + i],
                        setup["slug"],
                        stats,
                        random.Random(10 + i),
                        box,
                    ),
                )
                for i in range(4)
            ] + [
                threading.Thread(
                    target=_watch_until,
                    args=(
                        base,
                        setup["cookies"][8 + i],
                        setup["slug"],
                        stats,
                        random.Random(20 + i),
                        box,
                    ),
                )
                for i in range(4)
            ]
            for thread in threads + others:
                thread.start()
            for thread in threads:
                thread.join()
            created_s = time.monotonic() - t0
            done = run_driver("bench.embedded", env, "wait", "--n", str(created[0]), timeout=900)
            box["stop"] = 0
            for thread in others:
                thread.join()
            elapsed = time.monotonic() - t0
        finally:
            stop(web)
            stop(worker)
            emulator.stop()
        logs = [var / "worker.log", var / "web.log"]
        locked = {path.name: count_in_logs([path], LOCKED) for path in logs}
        tracebacks = count_in_logs(logs, "Traceback")
    result = {
        "name": "embedded",
        "generations": total,
        "created": created[0],
        "created_s": created_s,
        "elapsed_s": elapsed,
        "outcome": done,
        "locked": locked,
        "tracebacks": tracebacks,
        "requests": stats.codes,
        "server_errors": stats.server_errors(),
        "error_samples": stats.errors,
    }
    result["targets"] = [
        check('"database is locked" in worker and web logs', sum(locked.values()), 0, fmt="{:.0f}"),
        check("server errors / failed requests", stats.server_errors(), 0, fmt="{:.0f}"),
        check(
            "generations created through the web that did not succeed",
            created[0] - done["succeeded"] + (total - created[0]),
            0,
            fmt="{:.0f}",
        ),
    ]
    result["markdown"] = to_markdown(result)
    return result


def _favourites_until(base, cookie, slug, stats, rng, box):
    while box["stop"]:
        _favourites(base, cookie, slug, stats, rng, time.monotonic() + 5)


def _watch_until(base, cookie, slug, stats, rng, box):
    while box["stop"]:
        _watch(base, cookie, slug, stats, rng, time.monotonic() + 5)


def _wait_http(base: str) -> None:
    from bench.common import wait_until

    def up() -> bool:
        try:
            return requests.get(f"{base}/healthz/live", timeout=2).status_code < 500
        except requests.RequestException:
            return False

    if not wait_until(up, timeout=60, interval=0.2):
        raise RuntimeError("runserver did not start")


def to_markdown(r: dict) -> str:
    counts = ", ".join(
        f"{kind} {sum(codes.values())}" for kind, codes in sorted(r["requests"].items())
    )
    out = r["outcome"]
    return "\n".join(
        [
            "## 7. Embedded mode holds",
            "",
            f"{r['generations']} generations (4 × 1024² images each) created through the web "
            "form by 4 people while 4 others toggle favourites and 4 watch the live endpoint; "
            "`manage.py runserver` and `celery worker -c 2` as in the Procfile, embedded mode "
            "(SQLite WAL + IMMEDIATE, file-system broker, file cache), emulator jobs of 2 s at "
            "the app's pace for it (600/min, polls counted: rate-limiter slots in the same "
            "SQLite file).",
            "",
            *targets_table(r["targets"]),
            "",
            f"Created in {r['created_s']:.0f} s; all done {r['elapsed_s']:.0f} s after the "
            f"first request. Generations: {out['succeeded']} succeeded, {out['failed']} failed "
            f"({', '.join(out['errors']) or 'none'}); {out['images']} images saved. "
            f"HTTP requests: {counts}. Tracebacks in the logs: {r['tracebacks']}.",
        ]
    )


# --- driver ------------------------------------------------------------------------------------


def setup() -> dict:
    from bench import djangoside

    djangoside.setup()
    from django.conf import settings
    from django.test import Client

    people = [djangoside.person(f"person{i}") for i in range(12)]
    campaign = djangoside.campaign_with(people, "Embedded campaign")
    cookies = []
    for person in people:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(person)
        name = settings.SESSION_COOKIE_NAME
        cookies.append(f"{name}={client.cookies[name].value}")
    return {"slug": campaign.slug, "cookies": cookies}


def wait(n: int) -> dict:
    from bench import djangoside

    djangoside.setup()
    from generation.models import Generation, Image

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        active = Generation.objects.filter(status__in=Generation.ACTIVE_STATUSES).count()
        if Generation.objects.count() >= n and active == 0:
            break
        time.sleep(0.5)
    rows = Generation.objects.values_list("status", "error_code")
    return {
        "generations": len(rows),
        "succeeded": sum(1 for s, _ in rows if s == "succeeded"),
        "failed": sum(1 for s, _ in rows if s != "succeeded"),
        "errors": sorted({code for _, code in rows if code}),
        "images": Image.objects.count(),
    }


if __name__ == "__main__":
    from bench import djangoside

    args = djangoside.driver_args(("--n", {"type": int, "default": GENERATIONS}))
    if args.command == "setup":
        djangoside.write_result(args.result, setup())
    else:
        djangoside.write_result(args.result, wait(args.n))
