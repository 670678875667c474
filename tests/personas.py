"""People who use the studio, as fixtures.

alice owns the "Spring launch" campaign, bob belongs to "Autumn sale" only, and sam is staff.
"""

import pytest

from generation.models import Campaign, CampaignMembership

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, **extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username, email=f"{username}@example.com", password=PASSWORD, **extra
    )


def make_campaign(name: str, *members, role=CampaignMembership.Role.MEMBER) -> Campaign:
    from django.utils.text import slugify

    campaign = Campaign.objects.create(name=name, slug=slugify(name))
    for member in members:
        CampaignMembership.objects.create(campaign=campaign, user=member, role=role)
    return campaign


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def staff_user(db):
    return make_user("sam", is_staff=True, is_superuser=True)


@pytest.fixture
def spring_launch(alice):
    return make_campaign("Spring launch", alice, role=CampaignMembership.Role.OWNER)


@pytest.fixture
def autumn_sale(bob):
    return make_campaign("Autumn sale", bob, role=CampaignMembership.Role.OWNER)
