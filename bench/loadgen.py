"""A small, bounded HTTP load generator (threads + `http.client`, loopback only).

`python -m bench.loadgen PLAN.json`: runs the plan and prints one JSON line of results. A plan
names the server, the session cookies to use and one of two workloads:

* `browse`: each of `clients` virtual people opens a gallery page, then does what the gallery's
  live script does while work is running: every `think` seconds (1.5 s in `static/js/live.js`)
  asks the live endpoint and one generation's status, `polls` times, then opens another page.
* `hammer`: each client sends the next request as soon as the last one answered (no think time),
  to find the ceiling.

Latency is measured from before the connection is opened to the last byte of the body; any
answer other than 200 or an exception counts as an error.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import sys
import threading
import time
from collections import defaultdict


def _get(host: str, port: int, path: str, cookie: str, timeout: float) -> tuple[int, float]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html,*/*"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - t0
    finally:
        conn.close()


def run(plan: dict) -> dict:
    host, port = plan.get("host", "127.0.0.1"), plan["port"]
    duration, timeout = plan["duration"], plan.get("timeout", 10.0)
    cookies = plan["cookies"]
    pages, live, status = plan["pages"], plan["live"], plan["status"]
    mode = plan["mode"]
    think, polls = plan.get("think", 1.5), plan.get("polls", 3)
    lock = threading.Lock()
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    error_samples: list[str] = []
    stop_at = time.monotonic() + duration
    start_gate = threading.Barrier(plan["clients"])

    def record(kind: str, path: str, cookie: str) -> None:
        try:
            code, seconds = _get(host, port, path, cookie, timeout)
        except Exception as exc:
            code, seconds = None, None
            detail = f"{kind} {path}: {type(exc).__name__}: {exc}"
        else:
            detail = f"{kind} {path}: HTTP {code}"
        with lock:
            if seconds is not None:
                latencies[kind].append(seconds * 1000)
            if code != 200:
                errors[kind] += 1
                if len(error_samples) < 10:
                    error_samples.append(detail)

    def client(n: int) -> None:
        rng = random.Random(n)
        cookie = cookies[n % len(cookies)]
        start_gate.wait()
        # Stagger the start over one think period, as people do not arrive in lock-step.
        time.sleep(rng.uniform(0, think) if mode == "browse" else 0)
        while time.monotonic() < stop_at:
            record("gallery", rng.choice(pages), cookie)
            if mode == "browse":
                for _ in range(polls):
                    time.sleep(think)
                    if time.monotonic() >= stop_at:
                        return
                    record("live", rng.choice(live), cookie)
                    record("status", rng.choice(status), cookie)
            else:
                record("live", rng.choice(live), cookie)
                record("status", rng.choice(status), cookie)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(plan["clients"])]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - t0
    every = [v for values in latencies.values() for v in values]

    def stats(values: list[float]) -> dict:
        if not values:
            return {"n": 0}
        ordered = sorted(values)
        return {
            "n": len(values),
            "p50_ms": statistics.median(ordered),
            "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
            "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
            "max_ms": ordered[-1],
        }

    return {
        "mode": mode,
        "clients": plan["clients"],
        "seconds": elapsed,
        "requests": len(every) + sum(errors.values()) - sum(1 for _ in ()),
        "throughput_rps": len(every) / elapsed if elapsed else 0.0,
        "all": stats(every),
        "by_kind": {kind: stats(values) for kind, values in latencies.items()},
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "error_samples": error_samples,
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print(json.dumps(run(json.load(handle))))
