"""Creating and editing campaigns, and signing in."""

from django.urls import reverse

from generation.models import Campaign, CampaignMembership
from tests.personas import PASSWORD, make_campaign


def test_creating_a_campaign_makes_the_creator_its_owner(alice_client, alice, custom_model):
    response = alice_client.post(
        reverse("campaign_create"),
        {
            "name": "Summer Splash 2027!",
            "description": "Pool parties.",
            "brand_notes": "Bright, saturated.",
            "default_custom_model": custom_model.pk,
            "default_style_presets": ["golden_hour", "vibrant_colors"],
            "default_size": "2304x1792",
        },
    )
    campaign = Campaign.objects.get(name="Summer Splash 2027!")
    assert campaign.slug == "summer-splash-2027"
    assert campaign.created_by == alice
    assert campaign.default_style_presets == ["golden_hour", "vibrant_colors"]
    assert campaign.default_size == "2304x1792"
    membership = CampaignMembership.objects.get(campaign=campaign)
    assert (membership.user, membership.role) == (alice, CampaignMembership.Role.OWNER)
    assert response.url == reverse("generation_new", args=[campaign.slug])


def test_slugs_are_unique(alice_client, spring_launch):
    alice_client.post(reverse("campaign_create"), {"name": "Spring launch"})
    alice_client.post(reverse("campaign_create"), {"name": "Spring Launch"})
    slugs = sorted(Campaign.objects.values_list("slug", flat=True))
    assert slugs == ["spring-launch", "spring-launch-2", "spring-launch-3"]


def test_a_name_without_letters_still_gets_a_slug(alice_client):
    alice_client.post(reverse("campaign_create"), {"name": "🌸🌸"})
    assert Campaign.objects.get().slug == "campaign"


def test_a_campaign_needs_a_name(alice_client):
    response = alice_client.post(reverse("campaign_create"), {"name": "  "})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_the_default_size_must_suit_the_default_model(alice_client, custom_model):
    response = alice_client.post(
        reverse("campaign_create"),
        {"name": "X", "default_custom_model": custom_model.pk, "default_size": "1440x2560"},
    )
    assert "not available for Brand Lifestyle" in " ".join(
        response.context["form"].errors["default_size"]
    )


def test_unknown_default_presets_are_refused(alice_client):
    response = alice_client.post(
        reverse("campaign_create"), {"name": "X", "default_style_presets": ["nope"]}
    )
    assert "Unknown style preset" in " ".join(
        response.context["form"].errors["default_style_presets"]
    )


def test_members_edit_settings_but_the_slug_stays(alice_client, spring_launch):
    response = alice_client.post(
        reverse("campaign_edit", args=[spring_launch.slug]),
        {"name": "Spring launch (final)", "description": "New brief", "archived": ""},
    )
    assert response.url == spring_launch.get_absolute_url()
    spring_launch.refresh_from_db()
    assert spring_launch.name == "Spring launch (final)"
    assert spring_launch.slug == "spring-launch"


def test_the_edit_page_lists_the_team(alice_client, spring_launch):
    html = alice_client.get(reverse("campaign_edit", args=[spring_launch.slug])).content.decode()
    assert "alice" in html
    assert "Owner" in html


def test_staff_may_edit_any_campaign(client, staff_user, autumn_sale):
    client.force_login(staff_user)
    response = client.post(
        reverse("campaign_edit", args=[autumn_sale.slug]), {"name": "Autumn sale 2"}
    )
    assert response.status_code == 302
    autumn_sale.refresh_from_db()
    assert autumn_sale.name == "Autumn sale 2"


def test_outsiders_cannot_edit(bob_client, spring_launch):
    response = bob_client.post(reverse("campaign_edit", args=[spring_launch.slug]), {"name": "X"})
    assert response.status_code == 404
    spring_launch.refresh_from_db()
    assert spring_launch.name == "Spring launch"


def test_the_gallery_shows_settings_only_to_those_who_may_edit(client, alice, staff_user):
    campaign = make_campaign("Shared", alice)
    client.force_login(staff_user)
    assert (
        reverse("campaign_edit", args=[campaign.slug])
        in client.get(campaign.get_absolute_url()).content.decode()
    )


# --- Signing in -------------------------------------------------------------------------------


def test_sign_in_and_out(client, alice, spring_launch):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.url == reverse("campaign_list")
    assert "Spring launch" in client.get(reverse("campaign_list")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("campaign_list")).status_code == 302


def test_sign_in_returns_to_the_page_asked_for(client, alice, spring_launch):
    target = spring_launch.get_absolute_url()
    response = client.post(
        reverse("login") + f"?next={target}",
        {"username": "alice", "password": PASSWORD, "next": target},
    )
    assert response.url == target


def test_wrong_passwords_are_slowed_down(client, alice, settings):
    settings.LOGIN_RATE_LIMIT = "3/5m"
    for _ in range(2):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
        assert "enter a correct username and password" in response.content.decode()
    third = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert third.status_code == 429  # the allowance is spent: say so at once
    blocked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()


def test_the_sign_in_page_is_polished_and_accessible(client):
    html = client.get(reverse("login")).content.decode()
    assert 'autocomplete="current-password"' in html
    assert '<label for="id_username">' in html
    assert 'href="#main"' in html  # skip link
