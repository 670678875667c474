"""The image admin: grid thumbnails, rendition previews, read-only files."""

import pytest
from django.urls import reverse

from generation.studio import presenters
from tests.factories import make_image

CHANGELIST = reverse("admin:generation_image_changelist")

pytestmark = pytest.mark.django_db


def change_url(image):
    return reverse("admin:generation_image_change", args=[image.pk])


def test_changelist_shows_thumbnail_campaign_generation_favourite_and_size(staff_client, image):
    image.is_favourite = True
    image.save()
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Spring launch" in page
    assert reverse("admin:generation_generation_change", args=[image.generation_id]) in page
    assert "8×8" in page
    assert "icon-yes" in page  # the favourite tick
    grid = image.renditions.get(spec="grid")
    assert f'<img src="{presenters.rendition_url(grid)}" class="ff-thumb"' in page


@pytest.mark.local_media
def test_thumbnails_are_served_to_staff_by_the_authorising_view(staff_client, image):
    grid = image.renditions.get(spec="grid")
    response = staff_client.get(presenters.rendition_url(grid))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_thumbnails_do_not_cost_a_query_per_row(
    staff_client, generation, django_assert_max_num_queries
):
    for index in range(3):
        make_image(generation, index)
    with django_assert_max_num_queries(12) as few:
        staff_client.get(CHANGELIST)
    for index in range(3, 12):
        make_image(generation, index)
    with django_assert_max_num_queries(len(few)):
        staff_client.get(CHANGELIST)


def test_images_without_a_grid_rendition_still_list(staff_client, generation):
    make_image(generation, renditions=())
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    assert "No thumbnail" in response.content.decode()


def test_change_page_previews_each_rendition_and_keeps_files_read_only(staff_client, image):
    response = staff_client.get(change_url(image))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields) == {"is_favourite"}
    page = response.content.decode()
    assert "Grid thumbnail" in page
    assert "Preview" in page
    assert image.original.name in page
    assert 'type="file"' not in page
    for rendition in image.renditions.all():
        assert rendition.file.name in page
        assert f'<img src="{presenters.rendition_url(rendition)}" class="ff-preview"' in page
    assert f'href="{presenters.original_url(image)}"' in page


def test_favourite_can_be_toggled(staff_client, image):
    management = {
        "renditions-TOTAL_FORMS": "2",
        "renditions-INITIAL_FORMS": "2",
        "renditions-0-id": str(image.renditions.all()[0].pk),
        "renditions-0-image": str(image.pk),
        "renditions-1-id": str(image.renditions.all()[1].pk),
        "renditions-1-image": str(image.pk),
    }
    response = staff_client.post(change_url(image), {"is_favourite": "on", **management})
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.is_favourite


def test_images_are_not_added_here(staff_client):
    assert staff_client.get(reverse("admin:generation_image_add")).status_code == 403
