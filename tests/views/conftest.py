import pytest

from generation.models import Generation
from tests.factories import make_custom_model, make_generation, make_image


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def custom_model(db):
    return make_custom_model("Brand Lifestyle")


@pytest.fixture
def finished(spring_launch, alice, custom_model):
    """A finished generation in alice's campaign with two images (real files)."""
    generation = make_generation(
        spring_launch, alice, custom_model=custom_model, presets=["golden_hour", "pastel_color"]
    )
    images = [make_image(generation, 0, seed=111), make_image(generation, 1, seed=222)]
    return generation, images


@pytest.fixture
def running(spring_launch, alice):
    return make_generation(
        spring_launch, alice, status=Generation.Status.RUNNING, progress=40, num_variations=4
    )
