"""The staff flag alone gives no team's powers in the studio (issue 17, item 15): studio-wide
powers follow an explicit permission (superusers have every permission)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from generation.models import CampaignMembership
from tests.personas import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffer(db):
    """Looks after the catalogue in the admin: staff, with no campaign of their own."""
    return make_user("stella", is_staff=True)


def test_a_staffer_without_the_permission_cannot_see_or_take_over_a_campaign(
    client, staffer, autumn_sale
):
    client.force_login(staffer)
    assert client.get(autumn_sale.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("campaign_members", args=[autumn_sale.slug]),
        {"username": "stella", "role": "owner"},
    )
    assert response.status_code == 404
    assert not CampaignMembership.objects.filter(campaign=autumn_sale, user=staffer).exists()
    assert client.get(reverse("audit_log")).status_code in (403, 404)


def test_the_permission_gives_studio_wide_powers(client, staffer, autumn_sale):
    staffer.user_permissions.add(Permission.objects.get(codename="act_in_every_campaign"))
    client.force_login(staffer)
    assert client.get(autumn_sale.get_absolute_url()).status_code == 200
    assert client.get(reverse("audit_log")).status_code == 200


def test_superusers_keep_every_power(client, staff_user, autumn_sale):
    client.force_login(staff_user)
    assert client.get(autumn_sale.get_absolute_url()).status_code == 200
