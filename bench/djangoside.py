"""Helpers for benchmark driver processes (children started by `bench.stack.run_driver`).

Import this only in a child: `setup()` configures Django from the child's environment.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def setup() -> None:
    import os

    import django

    # Benches queue hundreds of generations and exports at once: measure the pipeline, not the
    # quotas (generation/quotas.py).
    for name in (
        "QUOTA_ACTIVE_GENERATIONS_PER_USER",
        "QUOTA_ACTIVE_GENERATIONS_PER_CAMPAIGN",
        "QUOTA_ACTIVE_EXPORTS_PER_USER",
        "QUOTA_ACTIVE_EXPORTS",
    ):
        os.environ.setdefault(name, "0")
    django.setup()


def driver_args(*extra: tuple[str, dict]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--result", required=True)
    for name, options in extra:
        parser.add_argument(name, **options)
    return parser.parse_args()


def write_result(path: str, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2, default=str))


def person(username: str, *, staff: bool = False):
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={"is_staff": staff, "first_name": username.capitalize(), "email": ""},
    )
    return user


def campaign_with(users, name: str = "Bench campaign"):
    from django.utils.text import slugify

    from generation.models import Campaign, CampaignMembership

    campaign, _ = Campaign.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    for user in users:
        CampaignMembership.objects.get_or_create(campaign=campaign, user=user)
    return campaign


def wait_all_terminal(ids: list[int], timeout: float, interval: float = 0.05) -> bool:
    from generation.models import Generation

    deadline = time.monotonic() + timeout
    terminal = Generation.TERMINAL_STATUSES
    while time.monotonic() < deadline:
        left = Generation.objects.filter(pk__in=ids).exclude(status__in=terminal).count()
        if left == 0:
            return True
        time.sleep(interval)
    return False


def generation_rows(ids: list[int]) -> list[dict]:
    from generation.models import Generation

    rows = Generation.objects.filter(pk__in=ids).values(
        "pk",
        "status",
        "error_code",
        "requested_by__username",
        "created_at",
        "submitted_at",
        "finished_at",
        "poll_count",
        "submit_attempts",
        "firefly_job_id",
    )
    out = []
    for row in rows:
        for key in ("created_at", "submitted_at", "finished_at"):
            row[key] = row[key].timestamp() if row[key] else None
        out.append(row)
    return out
