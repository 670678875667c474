"""The gallery's SQL query count is bounded whatever the page holds and whatever the filters
(the benchmark in `bench/gallery.py` times the same page at 10,000 and 100,000 images)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from generation.models import Generation, Image, Rendition
from generation.studio import pages
from generation.studio.selectors import GalleryFilters
from tests.factories import make_custom_model, make_generation, make_images

pytestmark = pytest.mark.django_db

#: Queries of one gallery page, session and user included (measured: 13 while the filter bar's
#: options are not cached yet, 9 at most once they are; one of them finds the generations that
#: failed or were cancelled among the page's images).
MAX_QUERIES = 13


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def filled(spring_launch, alice):
    """130 images (over two pages of 60) in generations with models, presets and favourites,
    plus running and queued generations shown as placeholders."""
    model = make_custom_model("Product shots")
    for n in range(26):
        generation = make_generation(
            spring_launch,
            alice,
            prompt=f"a teal kettle on a table, take {n}",
            custom_model=model if n % 2 else None,
            presets=["bw", "golden_hour"] if n % 3 else ["watercolor"],
        )
        images = make_images(generation, 5)
        Image.objects.filter(pk__in=[i.pk for i in images[:2]]).update(is_favourite=True)
    for status in (Generation.Status.RUNNING, Generation.Status.QUEUED):
        make_generation(spring_launch, alice, status=status, prompt="a teal kettle, running")
    return model


def page_queries(client, campaign, query, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(reverse("campaign_gallery", args=[campaign.slug]) + query)
    assert response.status_code == 200
    return len(captured), len(response.context["page"].images)


def filter_queries(alice, model):
    today = timezone.now().date()
    dates = f"date_from={today - dt.timedelta(days=1)}&date_to={today}"
    return [
        "",
        "?q=kettle",
        "?q=teal+kettle+take",
        f"?model={model.pk}",
        "?preset=bw",
        "?favourite=1",
        "?status=succeeded",
        f"?requester={alice.pk}",
        f"?{dates}",
        f"?q=kettle&model={model.pk}&preset=bw&favourite=1&requester={alice.pk}&{dates}",
        "?q=nothing-matches-this",
    ]


def test_every_filter_combination_stays_within_the_bound(
    alice_client, spring_launch, alice, filled, django_assert_max_num_queries
):
    counts = {}
    for query in filter_queries(alice, filled):
        counts[query], _ = page_queries(
            alice_client, spring_launch, query, django_assert_max_num_queries
        )
    assert max(counts.values()) <= MAX_QUERIES


def test_the_count_does_not_grow_with_the_images_on_the_page(
    alice_client, spring_launch, filled, django_assert_max_num_queries
):
    ids = list(
        Image.objects.filter(campaign=spring_launch).order_by("-id").values_list("id", flat=True)
    )
    alice_client.get(reverse("campaign_gallery", args=[spring_launch.slug]))  # session warm
    few, shown_few = page_queries(  # the last page: 10 images
        alice_client, spring_launch, f"?before={ids[119]}", django_assert_max_num_queries
    )
    full, shown_full = page_queries(
        alice_client, spring_launch, f"?before={ids[0]}", django_assert_max_num_queries
    )
    assert (shown_few, shown_full) == (10, 60)
    assert full == few


@pytest.mark.parametrize("size", [1, 10, 60, 120])
def test_the_page_selector_uses_two_queries_whatever_the_page_size(
    spring_launch, filled, size, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the images, then their grid renditions
        page = pages.gallery_page(spring_launch, GalleryFilters(q="kettle"), size=size)
        for image in page.images:  # what a tile reads
            image.rendition(Rendition.Spec.GRID)
            _ = image.generation.custom_model
    assert len(page.images) == min(size, 130)


def test_the_cached_filter_options_change_as_soon_as_a_generation_adds_one(
    alice_client, spring_launch, alice, emulator
):
    from generation.pipeline.generations import generation_create

    url = reverse("campaign_gallery", args=[spring_launch.slug])
    make_generation(spring_launch, alice, presets=["bw"])
    assert alice_client.get(url).context["options"].presets == ["bw"]

    generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a kite festival",
        model_version="image3",
        width=1024,
        height=1024,
        style_presets=["watercolor"],
    )

    assert alice_client.get(url).context["options"].presets == ["bw", "watercolor"]
