"""What one person, one campaign and the studio may have waiting at once (issue 17, item 9):
past a limit, a clear refusal and nothing stored or sent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from generation.collab import exports
from generation.models import CampaignMembership, Export, Generation, Image
from tests.personas import make_user
from tests.pipeline.support import create_generation

pytestmark = pytest.mark.django_db


def test_a_person_cannot_queue_past_their_limit(settings, spring_launch, alice):
    settings.QUOTA_ACTIVE_GENERATIONS_PER_USER = 3
    for _ in range(3):
        create_generation(spring_launch, alice)
    with pytest.raises(ValidationError) as refused:
        create_generation(spring_launch, alice)
    assert "You already have 3 generations waiting or running" in str(refused.value)
    assert Generation.objects.count() == 3
    # Once one has finished, there is room again.
    Generation.objects.filter(pk=Generation.objects.first().pk).update(
        status=Generation.Status.SUCCEEDED
    )
    create_generation(spring_launch, alice)


def test_a_campaign_has_a_limit_of_its_own(settings, spring_launch, alice):
    settings.QUOTA_ACTIVE_GENERATIONS_PER_CAMPAIGN = 2
    bob = make_user("bob2")
    CampaignMembership.objects.create(campaign=spring_launch, user=bob)
    create_generation(spring_launch, alice)
    create_generation(spring_launch, alice)
    with pytest.raises(ValidationError, match="This campaign already has 2 generations"):
        create_generation(spring_launch, bob)


def test_the_form_says_why_nothing_was_generated(settings, client, spring_launch, alice):
    alice_client = client
    alice_client.force_login(alice)
    from tests.views.test_generation_form import new_url, token_from

    settings.QUOTA_ACTIVE_GENERATIONS_PER_USER = 1
    create_generation(spring_launch, alice)
    data = {
        "form_token": token_from(alice_client.get(new_url(spring_launch))),
        "prompt": "a teal kettle on a sunny kitchen table",
        "model": "image4_standard",
        "size": "2048x2048",
        "num_variations": "1",
    }
    response = alice_client.post(new_url(spring_launch), data)
    assert response.status_code == 200
    assert "the most one person may have at once" in response.content.decode()
    assert Generation.objects.count() == 1


def test_exports_are_limited_per_person_and_for_the_studio(settings, spring_launch, alice):
    from tests.factories import make_generation, make_image

    settings.QUOTA_ACTIVE_EXPORTS_PER_USER = 2
    settings.QUOTA_ACTIVE_EXPORTS = 3
    make_image(make_generation(spring_launch, alice), 0)
    for _ in range(2):
        exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    with pytest.raises(ValidationError, match="You already have 2 exports being built"):
        exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    carol = make_user("carol2")
    CampaignMembership.objects.create(campaign=spring_launch, user=carol)
    exports.export_create(campaign=spring_launch, user=carol, images=Image.objects.all())
    with pytest.raises(ValidationError, match="The studio is building 3 exports right now"):
        exports.export_create(campaign=spring_launch, user=carol, images=Image.objects.all())
    assert Export.objects.count() == 3


def test_the_export_button_says_why_when_refused(settings, client, spring_launch, alice):
    alice_client = client
    alice_client.force_login(alice)
    from tests.factories import make_generation, make_image

    settings.QUOTA_ACTIVE_EXPORTS_PER_USER = 1
    make_image(make_generation(spring_launch, alice), 0)
    exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    response = alice_client.post(reverse("export_create", args=[spring_launch.slug]), follow=True)
    assert "You already have 1 export being built" in response.content.decode()
    assert Export.objects.count() == 1
