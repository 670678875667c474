"""The campaign gallery: newest first, keyset pages of 60, filters, placeholders for running
generations, the live endpoint, and a bounded number of queries whatever the page holds."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from generation.models import Generation, Image
from tests.factories import make_custom_model, make_generation, make_images
from tests.personas import make_campaign, make_user


def gallery(client, campaign, query=""):
    return client.get(reverse("campaign_gallery", args=[campaign.slug]) + query)


def shown_ids(response) -> list[int]:
    return [image.pk for image in response.context["page"].images]


def live(client, campaign, query):
    return client.get(reverse("campaign_live", args=[campaign.slug]) + query)


@pytest.fixture
def many_images(spring_launch, alice):
    """70 images over 14 generations (no files: the gallery never opens them)."""
    images = []
    for _ in range(14):
        generation = make_generation(spring_launch, alice, num_variations=4)
        images += make_images(generation, 5)
    return images


def test_newest_first_sixty_a_page_and_keyset_links(alice_client, spring_launch, many_images):
    ids = sorted((i.pk for i in many_images), reverse=True)
    first = gallery(alice_client, spring_launch)
    assert shown_ids(first) == ids[:60]
    page = first.context["page"]
    assert page.older_than == ids[59]
    assert page.newer_than is None
    assert f"?before={ids[59]}" in first.content.decode()

    second = gallery(alice_client, spring_launch, f"?before={ids[59]}")
    assert shown_ids(second) == ids[60:]
    assert second.context["page"].older_than is None
    assert second.context["page"].newer_than == ids[60]

    back = gallery(alice_client, spring_launch, f"?after={ids[60]}")
    assert shown_ids(back) == ids[:60]
    assert back.context["page"].newer_than is None


def test_paging_back_from_the_middle_offers_both_directions(
    alice_client, spring_launch, many_images
):
    ids = sorted((i.pk for i in many_images), reverse=True)
    page = gallery(alice_client, spring_launch, f"?after={ids[65]}").context["page"]
    assert [i.pk for i in page.images] == ids[5:65]
    assert page.newer_than == ids[5]
    assert page.older_than == ids[64]


def test_keyset_paging_keeps_the_filters(alice_client, spring_launch, many_images):
    Image.objects.filter(pk__in=[i.pk for i in many_images]).update(is_favourite=True)
    html = gallery(alice_client, spring_launch, "?favourite=1").content.decode()
    assert re.search(r"\?favourite=1&amp;before=\d+", html)


@pytest.mark.parametrize("count", [3, 70])
def test_a_bounded_number_of_queries_whatever_the_page_holds(
    alice_client, spring_launch, alice, count, django_assert_max_num_queries, custom_model
):
    per = 5
    for _ in range(count // per or 1):
        generation = make_generation(
            spring_launch, alice, custom_model=custom_model, presets=["golden_hour", "bw"]
        )
        make_images(generation, min(per, count))
    make_generation(spring_launch, alice, status=Generation.Status.RUNNING)
    make_generation(spring_launch, alice, status=Generation.Status.QUEUED)
    with django_assert_max_num_queries(13):
        response = gallery(alice_client, spring_launch, "?q=picnic&preset=bw")
    assert response.status_code == 200


def test_the_live_endpoint_uses_a_bounded_number_of_queries(
    alice_client, spring_launch, alice, many_images, django_assert_max_num_queries
):
    running = [make_generation(spring_launch, alice, status="running") for _ in range(5)]
    watch = ",".join(str(g.pk) for g in running)
    with django_assert_max_num_queries(8):
        assert live(alice_client, spring_launch, f"?since=0&watch={watch}").status_code == 200


def test_filter_by_custom_model(alice_client, spring_launch, alice):
    model = make_custom_model("Product shots")
    mine = make_images(make_generation(spring_launch, alice, custom_model=model), 2)
    make_images(make_generation(spring_launch, alice), 2)
    response = gallery(alice_client, spring_launch, f"?model={model.pk}")
    assert set(shown_ids(response)) == {i.pk for i in mine}
    assert "Product shots" in response.content.decode()  # offered in the filter


def test_the_model_filter_offers_firefly_models_as_well_as_custom_ones(
    alice_client, spring_launch, alice
):
    custom = make_custom_model("Product shots")
    on_custom = make_images(make_generation(spring_launch, alice, custom_model=custom), 2)
    on_image4 = make_images(make_generation(spring_launch, alice), 2)  # image4_standard
    on_image3 = make_images(make_generation(spring_launch, alice, model_version="image3"), 1)
    html = gallery(alice_client, spring_launch).content.decode()
    select = html[
        html.index('<select name="model"') : html.index(
            "</select>", html.index('<select name="model"')
        )
    ]
    assert '<optgroup label="Adobe Firefly">' in select
    assert '<option value="image3" >Firefly Image 3</option>' in select
    assert '<option value="image4_standard" >Firefly Image 4</option>' in select
    assert "Firefly Image 4 Ultra" not in select  # only models this campaign used
    assert f'<option value="custom-{custom.pk}" >Product shots</option>' in select

    response = gallery(alice_client, spring_launch, "?model=image4_standard")
    assert set(shown_ids(response)) == {i.pk for i in on_image4}
    assert 'value="image4_standard" selected' in response.content.decode()
    assert shown_ids(gallery(alice_client, spring_launch, "?model=image3")) == [on_image3[0].pk]
    by_custom = gallery(alice_client, spring_launch, f"?model=custom-{custom.pk}")
    assert set(shown_ids(by_custom)) == {i.pk for i in on_custom}


def test_filter_by_style_preset(alice_client, spring_launch, alice):
    golden = make_images(make_generation(spring_launch, alice, presets=["golden_hour", "bw"]), 2)
    make_images(make_generation(spring_launch, alice, presets=["bw"]), 2)
    make_images(make_generation(spring_launch, alice), 1)
    response = gallery(alice_client, spring_launch, "?preset=golden_hour")
    assert sorted(shown_ids(response)) == sorted(i.pk for i in golden)
    assert response.context["options"].presets == ["bw", "golden_hour"]


def test_filter_by_favourite(alice_client, spring_launch, alice):
    images = make_images(make_generation(spring_launch, alice), 3)
    Image.objects.filter(pk=images[1].pk).update(is_favourite=True)
    assert shown_ids(gallery(alice_client, spring_launch, "?favourite=1")) == [images[1].pk]


def test_filter_by_generation_status(alice_client, spring_launch, alice):
    ok = make_images(make_generation(spring_launch, alice), 2)
    failed = make_generation(spring_launch, alice, status=Generation.Status.FAILED)
    partial = make_images(failed, 1)
    assert shown_ids(gallery(alice_client, spring_launch, "?status=failed")) == [partial[0].pk]
    assert set(shown_ids(gallery(alice_client, spring_launch, "?status=succeeded"))) == {
        i.pk for i in ok
    }


def test_filter_by_requester(alice_client, spring_launch, alice):
    carol = make_user("carol")
    spring_launch.memberships.create(user=carol)
    hers = make_images(make_generation(spring_launch, carol), 2)
    make_images(make_generation(spring_launch, alice), 2)
    response = gallery(alice_client, spring_launch, f"?requester={carol.pk}")
    assert set(shown_ids(response)) == {i.pk for i in hers}
    assert [u.username for u in response.context["options"].requesters] == ["alice", "carol"]


def test_filter_by_date_range(alice_client, spring_launch, alice):
    old, new = make_images(make_generation(spring_launch, alice), 2)
    Image.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate()
    week_ago = today - dt.timedelta(days=7)
    assert shown_ids(gallery(alice_client, spring_launch, f"?date_from={week_ago}")) == [new.pk]
    assert shown_ids(gallery(alice_client, spring_launch, f"?date_to={week_ago}")) == [old.pk]
    both = gallery(
        alice_client, spring_launch, f"?date_from={today - dt.timedelta(days=11)}&date_to={today}"
    )
    assert set(shown_ids(both)) == {old.pk, new.pk}


def test_search_in_prompts_matches_every_word_in_any_order(alice_client, spring_launch, alice):
    hit = make_images(make_generation(spring_launch, alice, prompt="A Teal kettle on a table"), 1)
    make_images(make_generation(spring_launch, alice, prompt="a red kettle"), 1)
    assert shown_ids(gallery(alice_client, spring_launch, "?q=kettle+teal")) == [hit[0].pk]


def test_malformed_filters_are_ignored(alice_client, spring_launch, alice):
    images = make_images(make_generation(spring_launch, alice), 2)
    response = gallery(alice_client, spring_launch, "?model=abc&date_from=yesterday&before=x")
    assert response.status_code == 200
    assert len(shown_ids(response)) == len(images)


def test_no_results_for_filters_says_so_and_offers_to_clear(alice_client, spring_launch, alice):
    make_images(make_generation(spring_launch, alice), 1)
    html = gallery(alice_client, spring_launch, "?q=zebra").content.decode()
    assert "No images match these filters" in html
    assert "Clear all filters" in html


def test_an_empty_campaign_invites_a_first_generation(alice_client, spring_launch):
    html = gallery(alice_client, spring_launch).content.decode()
    assert "waiting for its first images" in html
    assert reverse("generation_new", args=[spring_launch.slug]) in html


def test_thumbnails_are_lazy_with_their_size_set(alice_client, finished, spring_launch):
    html = gallery(alice_client, spring_launch).content.decode()
    tags = re.findall(r"<img [^>]*>", html)
    thumbs = [t for t in tags if "/renditions/" in t]
    assert len(thumbs) == 2
    for tag in thumbs:
        assert 'loading="lazy"' in tag
        assert 'width="256"' in tag
        assert 'height="256"' in tag
        assert "alt=" in tag
    assert "/media/" not in html


def test_running_generations_show_placeholders_on_the_first_page_only(
    alice_client, spring_launch, alice, many_images
):
    running = make_generation(spring_launch, alice, status="running", progress=40, num_variations=3)
    html = gallery(alice_client, spring_launch).content.decode()
    assert html.count(f'data-placeholder data-generation="{running.pk}"') == 3
    assert "Generating · 40%" in html
    older = gallery(alice_client, spring_launch, f"?before={many_images[-1].pk}")
    assert f'data-generation="{running.pk}"' not in older.content.decode()
    favourites = gallery(alice_client, spring_launch, "?favourite=1").content.decode()
    assert f'data-generation="{running.pk}"' not in favourites


def test_live_returns_new_images_and_generation_progress(alice_client, spring_launch, alice):
    first = make_images(make_generation(spring_launch, alice), 1)[0]
    running = make_generation(spring_launch, alice, status="running", progress=60)
    body = live(alice_client, spring_launch, f"?since={first.pk}").json()
    assert body["images"] == []
    [status] = body["generations"]
    assert status["id"] == running.pk
    assert status["status"] == "running"
    assert status["progress"] == 60
    assert status["is_active"] is True

    newer = make_images(running, 2)
    Generation.objects.filter(pk=running.pk).update(status="succeeded", progress=100)
    body = live(alice_client, spring_launch, f"?since={first.pk}&watch={running.pk}").json()
    assert [i["id"] for i in body["images"]] == [newer[0].pk, newer[1].pk]  # oldest first
    tile = body["images"][0]
    assert tile["url"] == newer[0].get_absolute_url()
    assert tile["thumb"].startswith("/renditions/")
    assert (tile["width"], tile["height"]) == (256, 256)
    [status] = body["generations"]
    assert status["status"] == "succeeded"
    assert status["is_active"] is False


def test_live_reports_failures_of_watched_generations_with_their_message(
    alice_client, spring_launch, alice
):
    failed = make_generation(
        spring_launch, alice, status="failed", error_message="Adobe refused the prompt."
    )
    body = live(alice_client, spring_launch, f"?since=0&watch={failed.pk}").json()
    assert body["generations"][0]["error"] == "Adobe refused the prompt."
    assert body["generations"][0]["status_label"] == "Failed"


def test_live_reports_the_campaigns_image_counts_per_review_state(
    alice_client, spring_launch, alice
):
    images = make_images(make_generation(spring_launch, alice, num_variations=3), 3)
    Image.objects.filter(pk=images[0].pk).update(review_state="approved", is_favourite=True)
    body = live(alice_client, spring_launch, f"?since={images[-1].pk}&favourite=1").json()
    assert body["image_count"] == 3  # the whole campaign's, whatever the filters
    assert body["review_counts"] == {
        "draft": 2,
        "in_review": 0,
        "approved": 1,
        "changes_requested": 0,
        "rejected": 0,
    }


def test_live_applies_the_gallery_filters(alice_client, spring_launch, alice):
    model = make_custom_model("Product shots")
    wanted = make_images(make_generation(spring_launch, alice, custom_model=model), 1)
    make_images(make_generation(spring_launch, alice), 1)
    body = live(alice_client, spring_launch, f"?since=0&model={model.pk}").json()
    assert [i["id"] for i in body["images"]] == [wanted[0].pk]


def test_live_never_shows_other_campaigns_generations(
    alice_client, spring_launch, bob, autumn_sale
):
    theirs = make_generation(autumn_sale, bob, status="running")
    body = live(alice_client, spring_launch, f"?since=0&watch={theirs.pk}").json()
    assert body["generations"] == []


def test_live_needs_since(alice_client, spring_launch):
    assert live(alice_client, spring_launch, "").status_code == 404


# --- Campaign list ----------------------------------------------------------------------------


def test_the_campaign_list_shows_counts_and_latest_thumbnails(
    alice_client, spring_launch, alice, many_images
):
    make_generation(spring_launch, alice, status="running")
    make_generation(spring_launch, alice, status="queued")
    make_generation(spring_launch, alice, status="failed")
    response = alice_client.get(reverse("campaign_list"))
    [campaign] = response.context["campaigns"]
    assert campaign.image_count == 70
    assert campaign.running_count == 2
    newest = sorted((i.pk for i in many_images), reverse=True)[:4]
    assert [i.pk for i in campaign.latest_images] == newest
    html = response.content.decode()
    assert "70 images" in html
    assert "2 running" in html


def test_the_campaign_list_uses_a_bounded_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    for n in range(12):
        campaign = make_campaign(f"Campaign {n}", alice)
        make_images(make_generation(campaign, alice), 5)
    with django_assert_max_num_queries(6):
        response = alice_client.get(reverse("campaign_list"))
    assert len(response.context["campaigns"]) == 12


def test_archived_campaigns_leave_the_list_but_stay_reachable(alice_client, spring_launch):
    spring_launch.archived = True
    spring_launch.save()
    assert "Spring launch" not in alice_client.get(reverse("campaign_list")).content.decode()
    archived = alice_client.get(reverse("campaign_list") + "?archived=1").content.decode()
    assert "Spring launch" in archived
    assert gallery(alice_client, spring_launch).status_code == 200


def test_campaigns_with_the_newest_images_come_first(alice_client, alice, spring_launch):
    quiet = make_campaign("Quiet campaign", alice)  # created (and updated) after spring_launch
    make_images(make_generation(spring_launch, alice), 1)
    Image.objects.filter(campaign=spring_launch).update(
        created_at=timezone.now() + dt.timedelta(minutes=5)
    )
    names = [c.name for c in alice_client.get(reverse("campaign_list")).context["campaigns"]]
    assert names == ["Spring launch", quiet.name]
