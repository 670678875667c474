"""Generations that end without images (failed or cancelled) stay findable after a reload: as
tiles among the gallery's images, under the gallery's status filter, and in the campaign's list
of generations, each with its state, its message and Retry where a retry can help."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from generation.models import Generation, Image
from tests.factories import make_generation, make_images
from tests.personas import make_user

Status = Generation.Status
MESSAGE = "This request was refused by Adobe's content policy. Rephrase the prompt and try again."


def gallery(client, campaign, query=""):
    return client.get(reverse("campaign_gallery", args=[campaign.slug]) + query)


def generation_list(client, campaign, query=""):
    return client.get(reverse("generation_list", args=[campaign.slug]) + query)


def tile_order(html: str) -> list[str]:
    """The gallery's tiles in page order: "image <id>" or "ended <generation id>"."""
    found = re.findall(
        r'<li class="tile[^"]*" (?:data-image-id="(\d+)"|data-failed data-generation="(\d+)")', html
    )
    return [f"image {image}" if image else f"ended {generation}" for image, generation in found]


def at(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def ended(campaign, user, status=Status.FAILED, minutes_ago=0, **extra):
    extra.setdefault("error_message", MESSAGE if status == Status.FAILED else "Cancelled.")
    extra.setdefault("prompt", "a red kite")
    generation = make_generation(campaign, user, status=status, **extra)
    Generation.objects.filter(pk=generation.pk).update(finished_at=at(minutes_ago))
    return generation


def images_made(campaign, user, count, minutes_ago):
    images = make_images(make_generation(campaign, user, num_variations=count), count)
    Image.objects.filter(pk__in=[i.pk for i in images]).update(created_at=at(minutes_ago))
    return images


def test_a_failed_generation_stays_visible_after_reload(alice_client, spring_launch, alice):
    failed = ended(spring_launch, alice)
    html = gallery(alice_client, spring_launch).content.decode()
    assert tile_order(html) == [f"ended {failed.pk}"]
    tile = html[html.index(f'data-failed data-generation="{failed.pk}"') :]
    tile = tile[: tile.index("</li>")]
    assert "Failed" in tile
    assert MESSAGE.replace("'", "&#x27;") in tile
    assert "a red kite" in tile
    assert f'action="{reverse("generation_retry", args=[failed.pk])}"' in tile
    assert " hidden" not in tile  # Retry is offered
    assert "waiting for its first images" not in html


def test_a_cancelled_generation_stays_visible_with_its_message(alice_client, spring_launch, alice):
    cancelled = ended(spring_launch, alice, Status.CANCELLED)
    html = gallery(alice_client, spring_launch).content.decode()
    assert tile_order(html) == [f"ended {cancelled.pk}"]
    assert "Cancelled." in html


def test_failed_tiles_sit_among_the_images_made_around_them(alice_client, spring_launch, alice):
    old = images_made(spring_launch, alice, 2, minutes_ago=30)
    failed = ended(spring_launch, alice, minutes_ago=20)
    new = images_made(spring_launch, alice, 1, minutes_ago=10)
    cancelled = ended(spring_launch, alice, Status.CANCELLED, minutes_ago=5)
    html = gallery(alice_client, spring_launch).content.decode()
    assert tile_order(html) == [
        f"ended {cancelled.pk}",
        f"image {new[0].pk}",
        f"ended {failed.pk}",
        f"image {old[1].pk}",
        f"image {old[0].pk}",
    ]


def test_a_failure_older_than_the_first_page_is_on_the_page_of_its_time(
    alice_client, spring_launch, alice
):
    oldest = images_made(spring_launch, alice, 1, minutes_ago=120)
    failed = ended(spring_launch, alice, minutes_ago=100)
    newer = []
    for n in range(15):
        newer += images_made(spring_launch, alice, 4, minutes_ago=90 - n)  # 60: one full page
    first = gallery(alice_client, spring_launch)
    assert f"ended {failed.pk}" not in tile_order(first.content.decode())
    older = first.context["page"].older_than
    second = gallery(alice_client, spring_launch, f"?before={older}").content.decode()
    assert tile_order(second) == [f"ended {failed.pk}", f"image {oldest[0].pk}"]
    back = gallery(alice_client, spring_launch, f"?after={oldest[0].pk}").content.decode()
    assert f"ended {failed.pk}" not in tile_order(back)


def test_the_status_filter_finds_failed_cancelled_and_queued_generations(
    alice_client, spring_launch, alice
):
    images_made(spring_launch, alice, 2, minutes_ago=10)
    failed = ended(spring_launch, alice)
    cancelled = ended(spring_launch, alice, Status.CANCELLED)
    queued = make_generation(spring_launch, alice, status=Status.QUEUED, num_variations=2)

    html = gallery(alice_client, spring_launch, "?status=failed").content.decode()
    assert tile_order(html) == [f"ended {failed.pk}"]
    assert "No images match" not in html
    html = gallery(alice_client, spring_launch, "?status=cancelled").content.decode()
    assert tile_order(html) == [f"ended {cancelled.pk}"]
    html = gallery(alice_client, spring_launch, "?status=queued").content.decode()
    assert html.count(f'data-placeholder data-generation="{queued.pk}"') == 2
    assert tile_order(html) == []
    html = gallery(alice_client, spring_launch, "?status=succeeded").content.decode()
    assert "data-failed data-generation" not in html.split('<template id="failed-template">')[0]


def test_favourites_and_review_states_show_no_failed_tiles(alice_client, spring_launch, alice):
    ended(spring_launch, alice)
    for query in ("?favourite=1", "?review=approved"):
        assert tile_order(gallery(alice_client, spring_launch, query).content.decode()) == []


def test_the_other_filters_apply_to_failed_tiles(alice_client, spring_launch, alice):
    carol = make_user("carol")
    spring_launch.memberships.create(user=carol)
    mine = ended(spring_launch, alice)
    theirs = ended(spring_launch, carol, prompt="a blue whale")
    assert tile_order(
        gallery(alice_client, spring_launch, f"?requester={carol.pk}").content.decode()
    ) == [f"ended {theirs.pk}"]
    assert tile_order(gallery(alice_client, spring_launch, "?q=kite").content.decode()) == [
        f"ended {mine.pk}"
    ]


def test_the_generations_list_shows_state_message_requester_and_time(
    alice_client, spring_launch, alice
):
    done = make_generation(spring_launch, alice, prompt="a sunny terrace")
    make_images(done, 2)
    failed = ended(spring_launch, alice)
    running = make_generation(spring_launch, alice, status=Status.RUNNING, progress=30)
    html = generation_list(alice_client, spring_launch).content.decode()
    rows = re.findall(r'data-generation-row="(\d+)" data-status="(\w+)"', html)
    assert rows == [
        (str(running.pk), "running"),
        (str(failed.pk), "failed"),
        (str(done.pk), "succeeded"),
    ]
    row = html[html.index(f'data-generation-row="{failed.pk}"') :]
    row = row[: row.index("</li>")]
    assert "Failed" in row
    assert MESSAGE.replace("'", "&#x27;") in row
    assert "alice" in row
    assert f'datetime="{failed.created_at.isoformat()}"' in row
    assert reverse("generation_retry", args=[failed.pk]) in row
    done_row = html[html.index(f'data-generation-row="{done.pk}"') :]
    done_row = done_row[: done_row.index("</li>")]
    assert "2 of 2 images" in done_row
    assert "Retry" not in done_row  # nothing to retry
    assert (
        "Retry" not in html[html.index(f'data-generation-row="{running.pk}"') :].split("</li>")[0]
    )


def test_the_generations_list_filters_by_state_with_counts(alice_client, spring_launch, alice):
    make_generation(spring_launch, alice)
    failed = ended(spring_launch, alice)
    cancelled = ended(spring_launch, alice, Status.CANCELLED)
    queued = make_generation(spring_launch, alice, status=Status.QUEUED)

    def shown(query):
        html = generation_list(alice_client, spring_launch, query).content.decode()
        return [int(pk) for pk in re.findall(r'data-generation-row="(\d+)"', html)]

    assert shown("?status=failed") == [failed.pk]
    assert shown("?status=cancelled") == [cancelled.pk]
    assert shown("?status=active") == [queued.pk]
    assert len(shown("?status=nonsense")) == 4  # an unknown state is ignored
    html = generation_list(alice_client, spring_launch).content.decode()
    assert re.search(r'data-status-tab="all"[^>]*>All <span class="review-count">4<', html)
    assert re.search(r'data-status-tab="failed"[^>]*>Failed <span class="review-count">1<', html)


def test_the_generations_list_pages_newest_first(alice_client, spring_launch, alice):
    generations = [make_generation(spring_launch, alice) for _ in range(53)]
    ids = sorted((g.pk for g in generations), reverse=True)
    first = generation_list(alice_client, spring_launch)
    assert [g.pk for g in first.context["page"].generations] == ids[:50]
    second = generation_list(alice_client, spring_launch, f"?before={ids[49]}")
    assert [g.pk for g in second.context["page"].generations] == ids[50:]
    back = generation_list(alice_client, spring_launch, f"?after={ids[50]}")
    assert [g.pk for g in back.context["page"].generations] == ids[:50]


def test_the_generations_list_is_reachable_from_the_gallery_and_a_generation(
    alice_client, spring_launch, alice
):
    failed = ended(spring_launch, alice)
    url = reverse("generation_list", args=[spring_launch.slug])
    assert f'href="{url}"' in gallery(alice_client, spring_launch).content.decode()
    assert f'href="{url}"' in alice_client.get(failed.get_absolute_url()).content.decode()


def test_the_list_uses_a_bounded_number_of_queries(
    alice_client, spring_launch, alice, django_assert_max_num_queries
):
    for _ in range(30):
        make_images(make_generation(spring_launch, alice), 1)
        ended(spring_launch, alice)
    with django_assert_max_num_queries(7):
        assert generation_list(alice_client, spring_launch).status_code == 200


@pytest.mark.parametrize("status", [Status.FAILED, Status.CANCELLED])
def test_the_live_update_lets_a_failed_tile_offer_retry(alice_client, spring_launch, alice, status):
    generation = ended(spring_launch, alice, status)
    url = reverse("campaign_live", args=[spring_launch.slug])
    body = alice_client.get(f"{url}?since=0&watch={generation.pk}").json()
    [data] = body["generations"]
    assert data["retry_can_help"] is True
    assert data["retry_url"] == reverse("generation_retry", args=[generation.pk])
