"""Campaign settings and archiving are the owners'; every field is bounded; every change is
audited (issue 17, item 6)."""

import pytest
from django.urls import reverse

from generation.models import AuditEvent, Campaign, CampaignMembership
from tests.personas import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dave(spring_launch):
    user = make_user("dave")
    CampaignMembership.objects.create(
        campaign=spring_launch, user=user, role=CampaignMembership.Role.MEMBER
    )
    return user


def edit_url(campaign):
    return reverse("campaign_edit", args=[campaign.slug])


def test_a_member_sees_the_settings_but_cannot_rename_or_archive(client, dave, spring_launch):
    client.force_login(dave)
    page = client.get(edit_url(spring_launch))
    assert page.status_code == 200
    assert all(field.disabled for field in page.context["form"].fields.values())
    response = client.post(edit_url(spring_launch), {"name": "Hijacked", "archived": "on"})
    assert response.status_code == 403
    spring_launch.refresh_from_db()
    assert (spring_launch.name, spring_launch.archived) == ("Spring launch", False)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CAMPAIGN_UPDATED).exists()


def test_an_owners_changes_are_audited_with_before_and_after(alice_client, alice, spring_launch):
    response = alice_client.post(
        edit_url(spring_launch), {"name": "Spring launch 2027", "archived": "on"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.CAMPAIGN_UPDATED)
    assert event.actor == alice
    assert event.campaign == spring_launch
    assert "name" in event.summary
    assert "archived" in event.summary
    assert event.details["name"] == {"from": "Spring launch", "to": "Spring launch 2027"}
    assert event.details["archived"] == {"from": False, "to": True}


def test_saving_unchanged_settings_writes_no_audit_row(alice_client, spring_launch):
    form = alice_client.get(edit_url(spring_launch)).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    assert alice_client.post(edit_url(spring_launch), data).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CAMPAIGN_UPDATED).exists()


def test_a_four_megabyte_description_is_refused_with_a_clear_error(alice_client, spring_launch):
    response = alice_client.post(
        edit_url(spring_launch), {"name": "Spring launch", "description": "x" * (4 * 1024 * 1024)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["description"]
    assert "at most 2000 characters" in " ".join(errors)
    assert Campaign.objects.get(pk=spring_launch.pk).description == ""


def test_creating_a_campaign_is_audited(alice_client, alice):
    alice_client.post(reverse("campaign_create"), {"name": "Winter teaser"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.CAMPAIGN_CREATED)
    assert event.actor == alice
    assert event.campaign.name == "Winter teaser"
