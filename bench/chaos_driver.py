"""The Django side of the chaos run: `python -m bench.chaos_driver setup|enqueue|check ...`.

Started by `bench.chaos` with the run's environment (its own PostgreSQL and Redis). `enqueue`
asks for generations and exports through the studio's own services, paced over time, and keeps
going through the database and broker restarts: a database error is retried after checking
whether the row was stored after all (prompts are unique), so nothing is asked for twice.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from bench import djangoside

USERS = ("ana", "ben", "chloe", "dev")
CAMPAIGNS = ("Chaos spring", "Chaos summer", "Chaos autumn")
PROMPT = "chaos {i:03d}: a paper lantern over a quiet harbour at dusk"


def _campaigns():
    users = [djangoside.person(name) for name in USERS]
    return users, [djangoside.campaign_with(users, name) for name in CAMPAIGNS]


def _with_database_retries(action, already_done, log: list, what: str, timeout: float = 120):
    """Run `action`; on a database error reconnect, and re-run it unless `already_done()`."""
    from django.db import Error, connections

    deadline = time.monotonic() + timeout
    while True:
        try:
            return action()
        except Error as exc:
            log.append({"t": time.time(), "what": what, "error": f"{type(exc).__name__}: {exc}"})
            connections.close_all()
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
            try:
                found = already_done()
            except Error:
                connections.close_all()
                found = None
            if found is not None:
                return found


def export_schedule(exports: int, seconds: float) -> list[float]:
    """When (seconds after the start of `enqueue`) each export is asked for."""
    return [seconds * (0.15 + 0.85 * (k + 1) / exports) for k in range(exports)]


def enqueue(generations: int, exports: int, seconds: float, out: Path) -> dict:
    from generation.collab.exports import export_create
    from generation.models import Export, Generation, Image
    from generation.pipeline.generations import generation_create

    users, campaigns = _campaigns()
    gen_every = seconds * 0.85 / generations
    export_at = export_schedule(exports, seconds)
    started = time.monotonic()
    errors: list[dict] = []
    gen_ids: list[int] = []
    export_ids: list[int] = []
    with out.open("a", buffering=1) as log:
        i = 0
        while i < generations or len(export_ids) < exports:
            now = time.monotonic() - started
            if i < generations and now >= i * gen_every:
                prompt = PROMPT.format(i=i)
                user, campaign = users[i % len(users)], campaigns[i % len(campaigns)]

                def create(user=user, campaign=campaign, prompt=prompt):
                    return generation_create(
                        campaign=campaign,
                        user=user,
                        prompt=prompt,
                        model_version="image3",
                        width=1024,
                        height=1024,
                        num_variations=1,
                    )

                def stored(prompt=prompt):
                    return Generation.objects.filter(prompt=prompt).first()

                row = _with_database_retries(create, stored, errors, f"generation {i}")
                gen_ids.append(row.pk)
                log.write(json.dumps({"kind": "generation", "i": i, "id": row.pk}) + "\n")
                i += 1
                continue
            k = len(export_ids)
            if k < exports and now >= export_at[k]:
                campaign, user = campaigns[k % len(campaigns)], users[k % len(users)]
                description = f"chaos export {k:02d}"

                def build(campaign=campaign, user=user, description=description):
                    images = Image.objects.filter(campaign=campaign)
                    return export_create(
                        campaign=campaign, user=user, images=images, description=description
                    )

                def exists(description=description):
                    return Export.objects.filter(description=description).first()

                row = _with_database_retries(build, exists, errors, description)
                export_ids.append(row.pk)
                log.write(json.dumps({"kind": "export", "k": k, "id": row.pk}) + "\n")
                continue
            time.sleep(0.05)
    return {
        "generation_ids": gen_ids,
        "export_ids": export_ids,
        "database_errors_retried": errors,
        "enqueue_seconds": round(time.monotonic() - started, 1),
    }


def check(emulator_url: str) -> dict:
    """Every invariant the chaos run promises, measured (not asserted) so all are reported."""
    import requests
    from django.conf import settings
    from django.db.models import Count, Q

    from generation.models import Export, Generation, Image, Rendition

    rows = list(
        Generation.objects.filter(prompt__startswith="chaos ").annotate(n_images=Count("images"))
    )
    terminal = set(Generation.TERMINAL_STATUSES)
    outcomes = Counter(
        row.status if row.status == "succeeded" else f"{row.status}:{row.error_code}"
        for row in rows
    )
    not_terminal = [(row.pk, row.status) for row in rows if row.status not in terminal]
    step_due = [row.pk for row in rows if row.status in terminal and row.next_poll_at]
    wrong_images = [
        row.pk
        for row in rows
        if (row.status == "succeeded" and row.n_images != row.num_variations)
        or (row.status != "succeeded" and row.n_images)
    ]
    silent_failures = [row.pk for row in rows if row.status == "failed" and not row.error_message]

    posts = requests.get(
        f"{emulator_url}/_emulator/requests?operation=generate", timeout=60
    ).json()["requests"]
    jobs = requests.get(f"{emulator_url}/_emulator/jobs", timeout=60).json()["jobs"]
    prompts = {row.prompt: row for row in rows}
    post_count = Counter((r.get("body") or {}).get("prompt") for r in posts)
    job_count = Counter(job["prompt"] for job in jobs)
    posted_twice = {p: n for p, n in post_count.items() if p in prompts and n > 1}
    jobs_twice = {p: n for p, n in job_count.items() if p in prompts and n > 1}
    unknown_jobs = [p for p in job_count if p not in prompts]
    job_without_id = [row.pk for row in rows if job_count[row.prompt] and not row.firefly_job_id]

    exports = list(Export.objects.filter(description__startswith="chaos export"))
    export_states = Counter(e.status for e in exports)
    ready_without_file = [e.pk for e in exports if e.status == "ready" and not e.file]

    root = Path(settings.MEDIA_ROOT)
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    referenced = set(Image.objects.values_list("original", flat=True))
    referenced |= set(Rendition.objects.values_list("file", flat=True))
    referenced |= {name for name in Export.objects.values_list("file", flat=True) if name}
    duplicate_images = list(
        Image.objects.values("generation", "index").annotate(n=Count("id")).filter(n__gt=1)
    )
    bad_renditions = list(
        Image.objects.annotate(n=Count("renditions")).filter(~Q(n=2)).values_list("pk", flat=True)
    )
    durations = [
        (row.finished_at - row.created_at).total_seconds()
        for row in rows
        if row.finished_at and row.status == "succeeded"
    ]
    exports_finished = [e.finished_at.timestamp() for e in exports if e.finished_at]
    return {
        "last_generation_finished": max(
            (row.finished_at.timestamp() for row in rows if row.finished_at), default=None
        ),
        "last_export_finished": max(exports_finished, default=None),
        "last_generation_requested": max(
            (row.created_at.timestamp() for row in rows), default=None
        ),
        "generations": len(rows),
        "outcomes": dict(outcomes),
        "not_terminal": not_terminal,
        "terminal_with_step_due": step_due,
        "wrong_image_count": wrong_images,
        "failed_without_message": silent_failures,
        "error_messages": dict(
            Counter(row.error_message for row in rows if row.status == "failed")
        ),
        "generate_posts": len([r for r in posts if (r.get("body") or {}).get("prompt") in prompts]),
        "generate_post_statuses": dict(Counter(str(r.get("status")) for r in posts)),
        "jobs": sum(job_count[p] for p in prompts),
        "posted_twice": posted_twice,
        "jobs_twice": jobs_twice,
        "jobs_unknown_to_the_studio": unknown_jobs,
        "generations_whose_job_id_was_not_stored": job_without_id,
        "exports": len(exports),
        "export_states": dict(export_states),
        "exports_not_terminal": [(e.pk, e.status) for e in exports if e.is_active],
        "export_errors": dict(Counter(e.error_message for e in exports if e.error_message)),
        "ready_exports_without_file": ready_without_file,
        "media_files": len(files),
        "files_without_rows": sorted(files - referenced),
        "rows_without_files": sorted(referenced - files),
        "duplicate_image_rows": len(duplicate_images),
        "images_without_two_renditions": bad_renditions,
        "images": Image.objects.count(),
        "succeeded_seconds": sorted(durations),
    }


def main() -> None:
    args = djangoside.driver_args(
        ("--generations", {"type": int, "default": 300}),
        ("--exports", {"type": int, "default": 20}),
        ("--seconds", {"type": float, "default": 420}),
        ("--log", {"default": ""}),
        ("--emulator", {"default": ""}),
    )
    djangoside.setup()
    if args.command == "setup":
        _campaigns()
        result = {"users": list(USERS), "campaigns": list(CAMPAIGNS)}
    elif args.command == "enqueue":
        result = enqueue(args.generations, args.exports, args.seconds, Path(args.log))
    elif args.command == "check":
        result = check(args.emulator)
    else:
        raise SystemExit(f"unknown command {args.command}")
    djangoside.write_result(args.result, result)


if __name__ == "__main__":
    main()
