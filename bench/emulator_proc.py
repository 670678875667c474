"""The Firefly emulator for benchmarks: `python -m bench.emulator_proc --port N [...]`.

The emulator itself, unchanged, plus two things only a benchmark needs:

* `--job-seconds-range LO,HI`: each job runs a duration drawn uniformly from [LO, HI] (seeded),
  so jobs do not all finish in lock-step with the app's poll schedule;
* `--jobs-log FILE`: one JSON line per job with the moment the emulator starts answering
  `succeeded` for it (`finish`, epoch seconds), which is when "the job is done" at Firefly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import threading

from generation.emulator import EmulatorConfig, EmulatorServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--job-seconds", type=float, default=3.0)
    parser.add_argument("--job-seconds-range", default="")
    parser.add_argument("--pending-seconds", type=float, default=0.5)
    parser.add_argument("--rate-limit", type=int, default=0)
    parser.add_argument("--rate-limit-counts-polls", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs-log", default="")
    args = parser.parse_args()

    config = EmulatorConfig(
        port=args.port,
        seed=args.seed,
        job_seconds=args.job_seconds,
        pending_seconds=args.pending_seconds,
        rate_limit=args.rate_limit or None,
        rate_limit_counts_polls=bool(args.rate_limit_counts_polls),
        latency=args.latency,
        image_cache_bytes=256 * 1024 * 1024,
        record_limit=int(os.environ.get("BENCH_EMULATOR_RECORDS", "10")),
    )
    server = EmulatorServer(config)
    state = server.state
    rng = random.Random(f"bench-durations:{args.seed}")
    span = [float(v) for v in args.job_seconds_range.split(",")] if args.job_seconds_range else []
    log = open(args.jobs_log, "a", buffering=1) if args.jobs_log else None  # noqa: SIM115
    lock = threading.Lock()
    create_job = state.create_job

    def create_and_record(*a, **kw):
        job = create_job(*a, **kw)
        with lock:
            if span:
                job.run_seconds = rng.uniform(*span)
            if log is not None:
                finish = job.created_at + job.pending_seconds + job.run_seconds
                row = {"job_id": job.job_id, "created": job.created_at, "finish": finish}
                log.write(json.dumps(row) + "\n")
        return job

    state.create_job = create_and_record
    server.start()
    print(f"emulator on {server.url}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop()


if __name__ == "__main__":
    main()
