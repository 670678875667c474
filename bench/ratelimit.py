"""Part 2, working at Firefly's rate limit, scaled to 120 requests a minute (one per 0.5 s) so
that a run of more than a minute's worth of requests takes a minute, not the half hour Adobe's
default 4/min would.

The app paces itself with its shared limiter (`FIREFLY_RATE_LIMIT_PER_MINUTE`,
`FIREFLY_RATE_LIMIT_COUNTS_POLLS`); the emulator enforces the same limit with its sliding
window and counts every 429 it sends. One worker with 2 prefork processes.

* pace: 140 generations (more than a minute of slots, so the emulator's sliding window is
  really tested), status polls not counted (the formula N / limit assumes one counted request
  per generation). Target: all done within 1.05 x N / limit + latency, zero 429s.
* pace, polls counted: every poll costs a slot too, so the floor is (1 + polls per generation)
  requests each. Reported with the requests each generation needed; target zero 429s and the
  same formula with the two requests a generation needs at the least (submit + one poll).
* fair share: one person queues 30 generations, then two others queue 3 each. Target: the
  others' first submissions get one of the first few slots (≤ 4th), not the 31st.
"""

from __future__ import annotations

import time

from bench.common import check, summary, targets_table
from bench.stack import Emulator, base_env, manage, run_driver, start_worker, stop, var_dir

LIMIT = 120
JOB_SECONDS = 5.0
PENDING_SECONDS = 0.5
LATENCY = JOB_SECONDS + PENDING_SECONDS


def _one(scenario: str, n: int, counts_polls: bool) -> dict:
    with var_dir(f"ratelimit-{scenario}") as var:
        emulator = Emulator(
            var,
            job_seconds=JOB_SECONDS,
            pending_seconds=PENDING_SECONDS,
            rate_limit=LIMIT,
            rate_limit_counts_polls=int(counts_polls),
        )
        env = base_env(
            var,
            FIREFLY_RATE_LIMIT_PER_MINUTE=LIMIT,
            FIREFLY_RATE_LIMIT_COUNTS_POLLS=counts_polls,
            **emulator.settings(),
        )
        worker = None
        try:
            manage(env, "migrate", "--noinput")
            worker = start_worker(env, var / "worker.log")
            result = run_driver(
                "bench.ratelimit", env, "drive", "--scenario", scenario, "--n", str(n)
            )
            counters = emulator.counters()
        finally:
            stop(worker)
            emulator.stop()
    codes = counters.get("status_codes", {})
    received = counters.get("received", {})
    result.update(
        scenario=scenario,
        n=n,
        counts_polls=counts_polls,
        responses_429=int(codes.get("429", 0)),
        submissions=received.get("generate", 0),
        status_polls=received.get("status", 0),
    )
    counted = result["submissions"] + (result["status_polls"] if counts_polls else 0)
    result["counted_requests_per_generation"] = counted / max(1, n)
    return result


def run(quick: bool = False) -> dict:
    # More than one minute's worth (LIMIT) of counted requests, so the sliding window is tested.
    n_pace = 40 if quick else 140
    n_polls = 10 if quick else 40
    pace = _one("pace", n_pace, counts_polls=False)
    polls = _one("pace", n_polls, counts_polls=True)
    fair = _one("fair", 36, counts_polls=False)
    slot = 60 / LIMIT
    pace_limit = 1.05 * n_pace * slot + LATENCY
    polls_limit = 1.05 * 2 * n_polls * slot + LATENCY
    others = [fair["first_rank"][u] for u in ("bench-b", "bench-c")]
    result = {
        "name": "ratelimit",
        "limit_per_minute": LIMIT,
        "latency_s": LATENCY,
        "pace": pace,
        "polls_counted": polls,
        "fair": fair,
        "targets": [
            check(
                f"{n_pace} generations at {LIMIT}/min, polls not counted: makespan",
                pace["makespan_s"],
                pace_limit,
                " s",
                note=f"1.05 × {n_pace}/{LIMIT} min + {LATENCY:.1f} s",
            ),
            check("429 responses (polls not counted)", pace["responses_429"], 0, fmt="{:.0f}"),
            check(
                f"{n_polls} generations, polls counted: makespan",
                polls["makespan_s"],
                polls_limit,
                " s",
                note=f"1.05 × 2 requests × {n_polls}/{LIMIT} min + {LATENCY:.1f} s",
            ),
            check("429 responses (polls counted)", polls["responses_429"], 0, fmt="{:.0f}"),
            check(
                "fair share: slot of the 2nd and 3rd person's first submission (worst)",
                max(others),
                4,
                fmt="{:.0f}",
                note="30 queued by one person first",
            ),
            check("429 responses (fair share)", fair["responses_429"], 0, fmt="{:.0f}"),
        ],
    }
    result["markdown"] = to_markdown(result)
    return result


def to_markdown(r: dict) -> str:
    fair = r["fair"]
    lines = [
        "## 2. Working at Firefly's rate limit",
        "",
        f"App limiter and emulator both at {r['limit_per_minute']} requests/minute (the "
        "emulator's sliding window answers 429 above it). Jobs take "
        f"{r['latency_s']:.1f} s (0.5 s pending + {JOB_SECONDS:.0f} s running); one 1024×1024 "
        "output each; one worker `-c 2`; embedded mode.",
        "",
        *targets_table(r["targets"]),
        "",
        "| run | generations | makespan (s) | N × requests × slot + latency (s) | counted requests "
        "per generation | status polls per generation | 429s |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, run in (("polls not counted", r["pace"]), ("polls counted", r["polls_counted"])):
        per = run["counted_requests_per_generation"]
        ideal = run["n"] * per * 60 / r["limit_per_minute"] + r["latency_s"]
        lines.append(
            f"| {label} | {run['n']} | {run['makespan_s']:.1f} | {ideal:.1f} | {per:.2f} "
            f"| {run['status_polls'] / run['n']:.2f} | {run['responses_429']} |"
        )
    counted = r["polls_counted"]
    first = counted["per_user"]["bench-a"]["first_done_s"]
    lines += [
        "",
        "With polls counted, each generation needed "
        f"{counted['counted_requests_per_generation']:.1f} counted requests: slots go in the "
        "order they were reserved, so the submissions take the first ones and each poll's slot "
        "comes after them, when its job is done (one poll each); the price is that the first "
        f"image arrives after {first:.1f} s.",
    ]
    lines += [
        "",
        "Fair share (30 generations by one person, then 3 each by two others, created "
        "back to back):",
        "",
        "| person | generations | slot of first submission | first image after "
        "(s from their first request) | last image after (s) |",
        "|---|---|---|---|---|",
    ]
    for user, label in (("bench-a", "A (30)"), ("bench-b", "B (3)"), ("bench-c", "C (3)")):
        lines.append(
            f"| {label} | {fair['per_user'][user]['n']} | {fair['first_rank'][user]} "
            f"| {fair['per_user'][user]['first_done_s']:.1f} "
            f"| {fair['per_user'][user]['last_done_s']:.1f} |"
        )
    lines.append("")
    lines.append(f"Submission order (by person): `{fair['order']}`")
    lines.append("")
    lines.append(
        "Before fair share (slots in request order), measured during development at 60/min: "
        "B's and C's first submissions got slots 31 and 33 and their first images arrived after "
        "36.5 and 38.5 s. The gallery's live updates now show each queued generation's place "
        "in line (`fairness.places_in_line`)."
    )
    return "\n".join(lines)


# --- driver ------------------------------------------------------------------------------------


def _create(campaign, user, i: int):
    from generation.pipeline.generations import generation_create

    return generation_create(
        campaign=campaign,
        user=user,
        prompt=f"a teal kettle on a sunny kitchen table, take {i}",
        model_version="image3",
        width=1024,
        height=1024,
        num_variations=1,
    )


def drive(scenario: str, n: int) -> dict:
    from bench import djangoside

    djangoside.setup()
    a, b, c = (djangoside.person(name) for name in ("bench-a", "bench-b", "bench-c"))
    campaign = djangoside.campaign_with([a, b, c])
    plan = [a] * n if scenario == "pace" else [a] * 30 + [b] * 3 + [c] * 3
    t0 = time.time()
    ids = [_create(campaign, user, i).pk for i, user in enumerate(plan)]
    timeout = len(plan) * 6 + 120
    finished = djangoside.wait_all_terminal(ids, timeout=timeout, interval=0.1)
    rows = djangoside.generation_rows(ids)
    done = [r for r in rows if r["finished_at"]]
    result = {
        "all_terminal": finished,
        "makespan_s": max(r["finished_at"] for r in done) - t0 if done else float("nan"),
        "succeeded": sum(1 for r in rows if r["status"] == "succeeded"),
        "errors": sorted({r["error_code"] for r in rows if r["error_code"]}),
        "latency_s": summary([r["finished_at"] - r["created_at"] for r in done]),
    }
    submitted = sorted((r for r in rows if r["submitted_at"]), key=lambda r: r["submitted_at"])
    order = [r["requested_by__username"] for r in submitted]
    result["order"] = "".join(name[-1].upper() for name in order)
    result["first_rank"] = {
        name: (order.index(name) + 1 if name in order else None)
        for name in ("bench-a", "bench-b", "bench-c")
    }
    per_user = {}
    for name in ("bench-a", "bench-b", "bench-c"):
        mine = [r for r in rows if r["requested_by__username"] == name]
        if not mine:
            continue
        start = min(r["created_at"] for r in mine)
        ends = [r["finished_at"] - start for r in mine if r["finished_at"]]
        per_user[name] = {
            "n": len(mine),
            "first_done_s": min(ends) if ends else float("nan"),
            "last_done_s": max(ends) if ends else float("nan"),
        }
    result["per_user"] = per_user
    return result


if __name__ == "__main__":
    from bench import djangoside

    args = djangoside.driver_args(
        ("--scenario", {"choices": ["pace", "fair"]}), ("--n", {"type": int, "default": 60})
    )
    djangoside.write_result(args.result, drive(args.scenario, args.n))
