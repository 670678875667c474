"""Fixtures for the admin tests: a signed-in staff client and a small catalogue."""

import pytest

from tests.admin.factories import make_custom_model, make_generation, make_image


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def custom_model(db):
    return make_custom_model(display_name="Spring palette")


@pytest.fixture
def generation(spring_launch, alice, custom_model):
    return make_generation(spring_launch, requested_by=alice, custom_model=custom_model)


@pytest.fixture
def image(generation):
    return make_image(generation)
