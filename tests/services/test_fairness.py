"""Fair share of paced submission slots: a slot goes to whoever's turn it is, not to whoever
queued first (generation.pipeline.fairness and steps.generation_submit)."""

import pytest

from generation.models import CampaignMembership, Generation
from generation.pipeline import fairness, ratelimit
from generation.pipeline.submit import generation_submit
from tests.personas import make_user
from tests.pipeline.support import create_generation

pytestmark = pytest.mark.django_db

Status = Generation.Status


@pytest.fixture
def paced(emulator, settings, monkeypatch):
    """Submissions go through the limiter, and every reserved slot is due at once."""
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 600
    monkeypatch.setattr(ratelimit, "wait_for_slot", lambda kind, generation_id: 0.0)


@pytest.fixture
def carol(spring_launch):
    user = make_user("carol")
    CampaignMembership.objects.create(campaign=spring_launch, user=user)
    return user


@pytest.fixture
def bob_too(spring_launch, bob):
    CampaignMembership.objects.create(campaign=spring_launch, user=bob)
    return bob


def queue(campaign, user, count):
    return [create_generation(campaign, user, num_variations=1).pk for _ in range(count)]


def submitted_order():
    rows = Generation.objects.exclude(submitted_at=None).order_by("submitted_at", "id")
    return [g.requested_by.username for g in rows]


def test_people_who_queue_later_are_not_stuck_behind_a_long_queue(
    paced, spring_launch, alice, bob_too, carol
):
    alices = queue(spring_launch, alice, 4)
    bobs = queue(spring_launch, bob_too, 1)
    carols = queue(spring_launch, carol, 1)

    # The tasks come back for their slots in the order they were queued: alice's first.
    for pk in alices + bobs + carols:
        generation_submit(generation_id=pk)

    assert submitted_order() == ["alice", "bob", "carol", "alice", "alice", "alice"]
    assert not Generation.objects.filter(status=Status.QUEUED).exists()


def test_a_task_whose_generation_was_sent_by_another_slot_serves_the_next_in_line(
    paced, spring_launch, alice, bob_too
):
    first, second = queue(spring_launch, alice, 2)
    (bobs,) = queue(spring_launch, bob_too, 1)
    generation_submit(generation_id=first)  # alice's first
    generation_submit(generation_id=second)  # bob's turn: bob has nothing in flight
    assert Generation.objects.get(pk=bobs).status == Status.SUBMITTED
    assert Generation.objects.get(pk=second).status == Status.QUEUED

    step = generation_submit(generation_id=bobs)  # bob's own task, holding its own slot

    assert step.next_task == "poll"
    assert Generation.objects.get(pk=second).status == Status.SUBMITTED
    assert generation_submit(generation_id=second).outcome == "not_queued"


def test_without_pacing_each_task_submits_its_own_generation(
    emulator, settings, spring_launch, alice, bob_too
):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    alices = queue(spring_launch, alice, 2)
    bobs = queue(spring_launch, bob_too, 1)
    generation_submit(generation_id=alices[1])
    assert Generation.objects.get(pk=alices[1]).status == Status.SUBMITTED
    assert Generation.objects.get(pk=bobs[0]).status == Status.QUEUED


def test_places_in_line_rotate_between_people(spring_launch, alice, bob_too, carol):
    alices = queue(spring_launch, alice, 3)
    bobs = queue(spring_launch, bob_too, 2)
    carols = queue(spring_launch, carol, 1)

    places = fairness.places_in_line(alices + bobs + carols)

    assert [places[pk] for pk in alices] == [1, 4, 6]
    assert [places[pk] for pk in bobs] == [2, 5]
    assert [places[pk] for pk in carols] == [3]
    assert fairness.next_in_line() == [alices[0], bobs[0], carols[0]]


def test_a_cancelled_generation_does_not_waste_its_slot(paced, spring_launch, alice, bob_too):
    mine = queue(spring_launch, alice, 1)[0]
    (bobs,) = queue(spring_launch, bob_too, 1)
    Generation.objects.filter(pk=mine).update(cancel_requested=True)

    generation_submit(generation_id=mine)

    assert Generation.objects.get(pk=mine).status == Status.CANCELLED
    assert Generation.objects.get(pk=bobs).status == Status.SUBMITTED


def test_the_live_gallery_shows_queued_generations_with_their_place_in_line(
    client, settings, spring_launch, alice, bob_too
):
    from django.urls import reverse

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4  # paced: generations wait for their turn
    first, second = queue(spring_launch, alice, 2)
    (bobs,) = queue(spring_launch, bob_too, 1)
    client.force_login(alice)

    live = client.get(reverse("campaign_live", args=[spring_launch.slug]), {"since": 0})

    by_id = {g["id"]: g for g in live.json()["generations"]}
    assert [by_id[pk]["place_in_line"] for pk in (first, bobs, second)] == [1, 2, 3]
    assert by_id[bobs]["status_label"] == "Queued · 2nd in line"  # the placeholder's text


def test_without_pacing_nothing_waits_in_line(client, settings, spring_launch, alice):
    from django.urls import reverse

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    queue(spring_launch, alice, 1)
    client.force_login(alice)
    live = client.get(reverse("campaign_live", args=[spring_launch.slug]), {"since": 0})
    assert "place_in_line" not in live.json()["generations"][0]
