"""A signed-in person's pages are kept by no shared or browser cache (issue 17, item 16)."""

import pytest
from django.urls import reverse

from generation.studio.presenters import rendition_url

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def test_signed_in_pages_say_private_no_store(alice_client, spring_launch):
    for url in (
        reverse("campaign_list"),
        spring_launch.get_absolute_url(),
        reverse("generation_list", args=[spring_launch.slug]),
        reverse("notification_list"),
    ):
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= directives(response), url


@pytest.mark.local_media  # with S3 media a rendition is a redirect to a presigned URL
def test_renditions_keep_their_own_long_private_cache(alice_client, finished):
    _generation, images = finished
    rendition = images[0].renditions.first()
    response = alice_client.get(rendition_url(rendition))
    assert response.status_code == 200
    assert "immutable" in directives(response)
    assert "no-store" not in directives(response)
