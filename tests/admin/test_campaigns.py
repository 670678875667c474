"""The campaign admin: members inline, slug, search, archived filter, escaping."""

import pytest
from django.urls import reverse

from generation.models import Campaign, CampaignMembership
from tests.factories import make_generation
from tests.personas import make_campaign

CHANGELIST = reverse("admin:generation_campaign_changelist")

pytestmark = pytest.mark.django_db


def test_changelist_lists_campaigns_with_member_and_generation_counts(
    staff_client, spring_launch, autumn_sale
):
    make_generation(spring_launch)
    make_generation(spring_launch)
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    rows = {
        c.name: (c.member_total, c.generation_total) for c in response.context["cl"].result_list
    }
    assert rows == {"Spring launch": (1, 2), "Autumn sale": (1, 0)}


def test_archived_filter_and_search(staff_client, spring_launch, autumn_sale):
    autumn_sale.archived = True
    autumn_sale.save()

    def names(query):
        return [c.name for c in staff_client.get(CHANGELIST + query).context["cl"].result_list]

    assert names("?archived__exact=1") == ["Autumn sale"]
    assert names("?archived__exact=0") == ["Spring launch"]
    assert names("?q=autumn") == ["Autumn sale"]


def test_change_page_shows_members_with_roles(staff_client, spring_launch, alice):
    response = staff_client.get(
        reverse("admin:generation_campaign_change", args=[spring_launch.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="memberships-0-role"' in page
    assert 'value="owner" selected' in page


def test_add_page_prepopulates_the_slug_from_the_name(staff_client):
    response = staff_client.get(reverse("admin:generation_campaign_add"))
    assert response.status_code == 200
    assert "data-prepopulated-fields" in response.content.decode()
    assert response.context["adminform"].prepopulated_fields[0]["field"].name == "slug"


def test_a_campaign_with_a_member_can_be_added(staff_client, staff_user, bob):
    response = staff_client.post(
        reverse("admin:generation_campaign_add"),
        {
            "name": "Winter",
            "slug": "winter",
            "description": "",
            "brand_notes": "",
            "default_custom_model": "",
            "default_style_presets": "[]",
            "default_size": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": str(bob.pk),
            "memberships-0-role": "approver",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get(slug="winter")
    assert campaign.created_by == staff_user
    membership = CampaignMembership.objects.get(campaign=campaign)
    assert (membership.user, membership.role) == (bob, "approver")


def test_html_in_a_campaign_name_is_escaped(staff_client):
    make_campaign("<script>alert('x')</script> Sale")
    page = staff_client.get(CHANGELIST).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
