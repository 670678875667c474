"""A share link's reach never grows after it is made (issue 17, item 1): a selection whose
images are deleted shows what is left of it, and nothing (saying so) once all are gone."""

import datetime as dt

import pytest
from django.utils import timezone

from generation.collab import review, sharing
from generation.models import ShareLink

pytestmark = pytest.mark.django_db


def soon():
    return timezone.now() + dt.timedelta(days=3)


def test_deleting_the_selected_images_never_widens_the_link(
    client, spring_launch, alice, dave, images
):
    created = sharing.share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=soon(),
        scope=ShareLink.Scope.ALL,
        image_ids=[images[0].pk],
    )
    assert created.link.covers == ShareLink.Covers.SELECTION
    review.image_delete(image=images[0], user=dave)  # a member deletes the one shared draft

    assert list(sharing.share_link_images(created.link)) == []
    page = client.get(f"/s/{created.token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "The images shared through this link have been deleted." in text
    for other in images[1:]:
        assert f'data-image-id="{other.pk}"' not in text


def test_a_selection_shows_what_is_left_of_it(spring_launch, alice, dave, images):
    created = sharing.share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=soon(),
        scope=ShareLink.Scope.ALL,
        image_ids=[images[0].pk, images[1].pk],
    )
    review.image_delete(image=images[0], user=dave)
    assert list(sharing.share_link_images(created.link)) == [images[1]]


def test_a_whole_campaign_link_covers_the_campaign(spring_launch, alice, images):
    created = sharing.share_link_create(
        campaign=spring_launch, user=alice, expires_at=soon(), scope=ShareLink.Scope.ALL
    )
    assert created.link.covers == ShareLink.Covers.CAMPAIGN
    assert sharing.share_link_images(created.link).count() == len(images)
