"""Personas for review, sharing and exports: alice owns "Spring launch", carol approves in it,
dave is a plain member, bob is an outsider (owner of "Autumn sale"), sam is staff."""

import pytest

from generation.models import CampaignMembership
from tests.factories import make_custom_model, make_generation, make_image
from tests.personas import make_user

Role = CampaignMembership.Role


@pytest.fixture
def carol(spring_launch):
    user = make_user("carol", first_name="Carol", last_name="Reyes")
    CampaignMembership.objects.create(campaign=spring_launch, user=user, role=Role.APPROVER)
    return user


@pytest.fixture
def dave(spring_launch):
    user = make_user("dave")
    CampaignMembership.objects.create(campaign=spring_launch, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def images(spring_launch, alice):
    """Three images (real little JPEGs) from one finished generation in alice's campaign."""
    model = make_custom_model("Brand Lifestyle")
    generation = make_generation(
        spring_launch,
        alice,
        custom_model=model,
        presets=["golden_hour"],
        num_variations=3,
        style_strength=60,
        firefly_job_id="job-123",
    )
    return [make_image(generation, i, seed=100 + i) for i in range(3)]


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client signed in as `user` (or anonymous for None)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
