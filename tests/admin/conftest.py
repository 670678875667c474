"""Fixtures for the admin tests: a signed-in staff client and a small catalogue."""

import pytest

from generation.models import Generation
from tests.factories import make_custom_model, make_generation, make_image


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def custom_model(db):
    return make_custom_model(
        "Spring palette", base_model_name="clio_v2", base_model_version="2.0.0"
    )


@pytest.fixture
def generation(spring_launch, alice, custom_model):
    return make_generation(
        spring_launch,
        alice,
        custom_model=custom_model,
        prompt="a lighthouse at dawn",
        status=Generation.Status.QUEUED,
    )


@pytest.fixture
def image(generation):
    return make_image(generation, width=8, height=8)
