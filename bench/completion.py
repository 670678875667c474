"""Part 3, completion to gallery: from the moment the emulator starts answering `succeeded` for a
job to the moment its images are committed and readable by the web process.

30 generations with the form's defaults (Image 4, 2048×2048, 4 variations), one every 0.75 s;
each emulator job runs a duration drawn from U(3, 12) s (seeded) after 0.5 s pending, so
finishing times fall anywhere in the app's poll schedule. The app runs with its settings for
the emulator (600 requests/minute, polls counted), one worker `-c 2`, embedded mode. About 4
counted requests a generation at one generation every 0.75 s is ~5 requests a second, half
the limiter's 10: a busier arrival rate queues polls for rate-limiter slots and the lag grows
with that queue (40 generations every 0.25 s, 16 requests a second offered: p50 0.85 s).

"Visible" is observed from outside: a separate process reads the database every 10 ms (as the
gallery's live endpoint would) and notes when each generation is `succeeded` with its images;
the moment the job finished comes from the emulator (`bench.emulator_proc --jobs-log`).
"""

from __future__ import annotations

import time

from bench.common import check, summary, targets_table
from bench.stack import Emulator, base_env, manage, run_driver, start_worker, stop, var_dir

N = 30
EVERY = 0.75
SPAN = (3.0, 12.0)


def run(quick: bool = False) -> dict:
    n = 12 if quick else N
    with var_dir("completion") as var:
        emulator = Emulator(var, job_seconds_range=f"{SPAN[0]},{SPAN[1]}", pending_seconds=0.5)
        env = base_env(var, **emulator.settings())
        worker = None
        try:
            manage(env, "migrate", "--noinput")
            worker = start_worker(env, var / "worker.log")
            result = run_driver("bench.completion", env, "drive", "--n", str(n))
            jobs = emulator.job_log()
            counters = emulator.counters()
        finally:
            stop(worker)
            emulator.stop()
    lags, polls = [], []
    for row in result["rows"]:
        job = jobs.get(row["firefly_job_id"])
        if job and row.get("visible_at"):
            lags.append(row["visible_at"] - job["finish"])
        polls.append(row["poll_count"])
    received = counters.get("received", {})
    lag = summary(lags)
    out = {
        "name": "completion",
        "n": n,
        "lag_s": lag,
        "lags": sorted(lags),
        "succeeded": result["succeeded"],
        "status_requests": received.get("status", 0),
        "status_per_generation": received.get("status", 0) / n,
        "polls_per_generation": summary(polls),
        "responses_429": int(counters.get("status_codes", {}).get("429", 0)),
    }
    out["targets"] = [
        check("job succeeded → images visible, p50", lag["median"], 1.0, " s"),
        check("job succeeded → images visible, p95", lag["p95"], 2.0, " s"),
        check("generations that did not succeed", n - result["succeeded"], 0, fmt="{:.0f}"),
    ]
    out["markdown"] = to_markdown(out)
    return out


def to_markdown(r: dict) -> str:
    lag = r["lag_s"]
    p = r["polls_per_generation"]
    return "\n".join(
        [
            "## 3. Completion to gallery",
            "",
            f"{r['n']} generations (Image 4, 2048×2048, 4 variations: the form's defaults), one "
            f"created every {EVERY} s; emulator jobs take 0.5 s pending + U(3, 12) s running; app "
            "settings for the emulator (600/min, polls counted); one worker `-c 2`, embedded "
            "mode. Lag = emulator starts answering `succeeded` → a separate process reading "
            "the database (every 10 ms) sees the generation succeeded with its images.",
            "",
            *targets_table(r["targets"]),
            "",
            "| lag median | p95 | min | max | status requests per generation (total) "
            "| polls per generation median / max | 429s |",
            "|---|---|---|---|---|---|---|",
            f"| {lag['median']:.2f} s | {lag['p95']:.2f} s | {lag['min']:.2f} s "
            f"| {lag['max']:.2f} s | {r['status_per_generation']:.2f} ({r['status_requests']}) "
            f"| {p['median']:.0f} / {p['max']:.0f} | {r['responses_429']} |",
        ]
    )


# --- driver ------------------------------------------------------------------------------------


def drive(n: int) -> dict:
    from bench import djangoside

    djangoside.setup()
    from generation.models import Generation, Image
    from generation.pipeline.generations import generation_create

    user = djangoside.person("bench-completion", staff=True)
    campaign = djangoside.campaign_with([user])
    ids = []
    visible: dict[int, float] = {}
    next_create = time.monotonic()

    def look() -> None:
        waiting = [pk for pk in ids if pk not in visible]
        if not waiting:
            return
        done = Generation.objects.filter(pk__in=waiting, status=Generation.Status.SUCCEEDED)
        found = set(done.values_list("pk", flat=True))
        if found:
            with_images = set(
                Image.objects.filter(generation_id__in=found).values_list(
                    "generation_id", flat=True
                )
            )
            now = time.time()
            for pk in found & with_images:
                visible[pk] = now

    while len(ids) < n:
        if time.monotonic() >= next_create:
            ids.append(
                generation_create(
                    campaign=campaign,
                    user=user,
                    prompt=f"sunset over green hills and a calm ocean, take {len(ids)}",
                    width=2048,
                    height=2048,
                    num_variations=4,
                ).pk
            )
            next_create += EVERY
        look()
        time.sleep(0.01)
    deadline = time.monotonic() + 180
    terminal = Generation.TERMINAL_STATUSES
    while time.monotonic() < deadline:
        look()
        left = Generation.objects.filter(pk__in=ids).exclude(status__in=terminal).count()
        if left == 0 and all(
            pk in visible
            for pk in Generation.objects.filter(
                pk__in=ids, status=Generation.Status.SUCCEEDED
            ).values_list("pk", flat=True)
        ):
            break
        time.sleep(0.01)
    rows = djangoside.generation_rows(ids)
    for row in rows:
        row["visible_at"] = visible.get(row["pk"])
    return {"rows": rows, "succeeded": sum(1 for r in rows if r["status"] == "succeeded")}


if __name__ == "__main__":
    from bench import djangoside

    args = djangoside.driver_args(("--n", {"type": int, "default": N}))
    djangoside.write_result(args.result, drive(args.n))
