"""Only staff reach the admin; no page shows a secret."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:index",
    "admin:generation_custommodel_changelist",
    "admin:generation_campaign_changelist",
    "admin:generation_generation_changelist",
    "admin:generation_image_changelist",
]


@pytest.mark.parametrize("name", PAGES)
def test_non_staff_members_are_sent_to_the_admin_login(client, alice, name):
    client.force_login(alice)
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_the_admin_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_non_staff_cannot_sync(client, alice):
    from unittest import mock

    client.force_login(alice)
    with mock.patch("generation.admin.catalogue.custom_models_sync") as sync:
        response = client.post("/admin/generation/custommodel/sync/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    sync.assert_not_called()


def test_the_admin_index_lists_the_studio_models(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    for label in ("Campaigns", "Custom models", "Generations", "Images"):
        assert label in page


@pytest.mark.parametrize("name", PAGES)
def test_no_page_shows_the_firefly_secret(staff_client, settings, image, name):
    page = staff_client.get(reverse(name)).content.decode()
    assert settings.FIREFLY_CLIENT_SECRET not in page
    assert settings.SECRET_KEY not in page
