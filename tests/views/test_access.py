"""Who may open what: every URL of the studio, for anonymous people, members, outsiders and staff.

The tables below must name every URL pattern in `generation.studio.urls`; a new pattern without a
row fails `test_every_url_pattern_is_covered`.
"""

import pytest
from django.urls import reverse

from generation.studio import urls as studio_urls
from generation.studio.files import file_token

PUBLIC = {"login", "logout"}


def _urls(campaign, generation, image):
    grid = image.renditions.get(spec="grid")
    return {
        "campaign_list": ("get", reverse("campaign_list")),
        "campaign_create": ("get", reverse("campaign_create")),
        "campaign_gallery": ("get", reverse("campaign_gallery", args=[campaign.slug])),
        "campaign_edit": ("get", reverse("campaign_edit", args=[campaign.slug])),
        "campaign_live": ("get", reverse("campaign_live", args=[campaign.slug]) + "?since=0"),
        "generation_list": ("get", reverse("generation_list", args=[campaign.slug])),
        "generation_new": ("get", reverse("generation_new", args=[campaign.slug])),
        "generation_detail": ("get", reverse("generation_detail", args=[generation.pk])),
        "generation_status": ("get", reverse("generation_status", args=[generation.pk])),
        "generation_cancel": ("post", reverse("generation_cancel", args=[generation.pk])),
        "generation_retry": ("post", reverse("generation_retry", args=[generation.pk])),
        "image_detail": ("get", reverse("image_detail", args=[image.pk])),
        "image_favourite": ("post", reverse("image_favourite", args=[image.pk])),
        "image_original": (
            "get",
            reverse("image_original", args=[image.pk, file_token(image.original.name)]),
        ),
        "image_download": ("get", reverse("image_download", args=[image.pk])),
        "rendition_file": (
            "get",
            reverse("rendition_file", args=[grid.pk, file_token(grid.file.name)]),
        ),
    }


# Outsiders also get 404 for the campaign-scoped views that are not about one campaign.
NOT_CAMPAIGN_SCOPED = {"campaign_list", "campaign_create"}


def test_every_url_pattern_is_covered(finished, spring_launch):
    generation, images = finished
    # Included URL modules (review, sharing, exports) have their own table in tests/collab.
    names = {p.name for p in studio_urls.urlpatterns if not hasattr(p, "url_patterns")}
    assert names - PUBLIC == set(_urls(spring_launch, generation, images[0]))


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(client, finished, spring_launch):
    generation, images = finished
    for name, (method, url) in _urls(spring_launch, generation, images[0]).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login") + "?next="), name


def test_members_of_another_campaign_get_404_everywhere(
    bob_client, autumn_sale, finished, spring_launch
):
    generation, images = finished
    for name, (method, url) in _urls(spring_launch, generation, images[0]).items():
        if name in NOT_CAMPAIGN_SCOPED:
            continue
        response = getattr(bob_client, method)(url)
        assert response.status_code == 404, name
    generation.refresh_from_db()
    assert not generation.cancel_requested
    assert not images[0].__class__.objects.filter(is_favourite=True).exists()
    assert generation.retries.count() == 0


@pytest.mark.local_media
def test_every_page_renders_for_a_member(alice_client, finished, spring_launch):
    generation, images = finished
    for name, (method, url) in _urls(spring_launch, generation, images[0]).items():
        if method != "get":
            continue
        response = alice_client.get(url)
        assert response.status_code == 200, name


@pytest.mark.local_media
def test_staff_see_every_campaign(client, staff_user, finished, spring_launch, autumn_sale):
    generation, images = finished
    client.force_login(staff_user)
    for name, (method, url) in _urls(spring_launch, generation, images[0]).items():
        if method == "get":
            assert client.get(url).status_code == 200, name
    listing = client.get(reverse("campaign_list")).content.decode()
    assert "Spring launch" in listing
    assert "Autumn sale" in listing


def test_members_see_only_their_campaigns_in_the_list(bob_client, spring_launch, autumn_sale):
    page = bob_client.get(reverse("campaign_list")).content.decode()
    assert "Autumn sale" in page
    assert "Spring launch" not in page


def test_state_changes_refuse_get(alice_client, finished):
    generation, images = finished
    assert alice_client.get(reverse("generation_cancel", args=[generation.pk])).status_code == 405
    assert alice_client.get(reverse("generation_retry", args=[generation.pk])).status_code == 405
    assert alice_client.get(reverse("image_favourite", args=[images[0].pk])).status_code == 405


def test_state_changes_need_the_csrf_token(finished, alice):
    from django.test import Client

    _generation, images = finished
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    response = strict.post(reverse("image_favourite", args=[images[0].pk]), {"favourite": "1"})
    assert response.status_code == 403
    images[0].refresh_from_db()
    assert not images[0].is_favourite


def test_pages_carry_the_strict_content_security_policy(alice_client, finished, spring_launch):
    response = alice_client.get(spring_launch.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    html = response.content.decode()
    assert "<style" not in html
    assert " style=" not in html
    assert "<script>" not in html  # only <script src=…> files


def test_a_missing_page_is_a_friendly_404(alice_client):
    response = alice_client.get("/campaigns/no-such-campaign/")
    assert response.status_code == 404
    assert "couldn't find that page" in response.content.decode()
