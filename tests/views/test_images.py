"""An image's page, favourites, and the files served only through authorising views."""

import pytest
from django.urls import reverse

from generation.models import Image
from generation.studio import files
from generation.studio.files import file_token
from tests.factories import make_generation, make_images


def original_url(image):
    return reverse("image_original", args=[image.pk, file_token(image.original.name)])


def rendition_url(rendition):
    return reverse("rendition_file", args=[rendition.pk, file_token(rendition.file.name)])


def test_the_image_page_shows_the_preview_parameters_and_actions(alice_client, finished):
    generation, (_first, second) = finished
    html = alice_client.get(second.get_absolute_url()).content.decode()
    preview = second.renditions.get(spec="preview")
    assert rendition_url(preview) in html
    assert original_url(second) in html  # click for the original
    assert reverse("image_download", args=[second.pk]) in html
    assert f"?from={generation.pk}" in html
    assert f"?from={generation.pk}&amp;vary={second.seed}" in html  # vary: a new seed
    assert "Vary: new seed, same settings" in html
    assert str(second.seed) in html
    assert "Golden hour" in html
    assert "Brand Lifestyle" in html
    assert 'aria-pressed="false"' in html


def test_previous_and_next_follow_the_gallery_order(alice_client, spring_launch, alice):
    a, b, c = make_images(make_generation(spring_launch, alice), 3)
    html = alice_client.get(b.get_absolute_url()).content.decode()
    assert f'href="{c.get_absolute_url()}" rel="prev"' in html  # newer, to the left
    assert f'href="{a.get_absolute_url()}" rel="next"' in html  # older, to the right
    first = alice_client.get(c.get_absolute_url()).content.decode()
    assert 'rel="prev"' not in first


def test_neighbours_stay_inside_the_campaign(alice_client, finished, autumn_sale, bob):
    _generation, (_first, second) = finished
    theirs = make_images(make_generation(autumn_sale, bob), 1)[0]
    html = alice_client.get(second.get_absolute_url()).content.decode()
    assert theirs.get_absolute_url() not in html


def test_favourite_toggle_by_form_post(alice_client, finished):
    _generation, (image, _) = finished
    url = reverse("image_favourite", args=[image.pk])
    response = alice_client.post(url, {"favourite": "1"})
    assert response.url == image.get_absolute_url()
    image.refresh_from_db()
    assert image.is_favourite
    alice_client.post(url, {"favourite": "0", "next": "/campaigns/spring-launch/?favourite=1"})
    image.refresh_from_db()
    assert not image.is_favourite


def test_favourite_toggle_answers_json_for_scripts(alice_client, finished):
    _generation, (image, _) = finished
    response = alice_client.post(
        reverse("image_favourite", args=[image.pk]),
        {"favourite": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"id": image.pk, "favourite": True}
    assert Image.objects.get(pk=image.pk).is_favourite


@pytest.mark.local_media
def test_download_is_an_attachment_named_after_the_campaign(alice_client, finished):
    generation, (image, _) = finished
    response = alice_client.get(reverse("image_download", args=[image.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        f'attachment; filename="spring-launch-g{generation.pk}-1.jpg"'
    )
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xff\xd8")  # a JPEG


@pytest.mark.local_media
def test_the_original_opens_inline_privately(alice_client, finished):
    _generation, (image, _) = finished
    response = alice_client.get(original_url(image))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"].startswith("private")


@pytest.mark.local_media
def test_renditions_are_cached_privately_for_a_year(alice_client, finished):
    _generation, (image, _) = finished
    grid = image.renditions.get(spec="grid")
    response = alice_client.get(rendition_url(grid))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert sorted(response["Cache-Control"].split(", ")) == [
        "immutable",
        "max-age=31536000",
        "private",
    ]


def test_file_urls_with_an_out_of_date_name_are_404(alice_client, finished):
    _generation, (image, _) = finished
    grid = image.renditions.get(spec="grid")
    assert alice_client.get(reverse("rendition_file", args=[grid.pk, "old.jpg"])).status_code == 404
    assert (
        alice_client.get(reverse("image_original", args=[image.pk, "old.jpg"])).status_code == 404
    )


@pytest.mark.local_media
def test_a_file_missing_from_storage_is_404_not_500(alice_client, finished):
    from django.core.files.storage import default_storage

    _generation, (image, _) = finished
    default_storage.delete(image.original.name)
    assert alice_client.get(reverse("image_download", args=[image.pk])).status_code == 404


def test_an_image_without_a_stored_file_is_404_not_the_whole_media_folder(
    alice_client, finished, settings
):
    # An empty name used to become "X-Accel-Redirect: /_protected/": nginx's media root.
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/_protected/"
    _generation, (image, _) = finished
    Image.objects.filter(pk=image.pk).update(original="")
    assert alice_client.get(reverse("image_download", args=[image.pk])).status_code == 404


@pytest.mark.local_media
def test_nginx_serves_the_bytes_when_accel_redirect_is_configured(alice_client, finished, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/_protected/"
    _generation, (image, _) = finished
    response = alice_client.get(reverse("image_download", args=[image.pk]))
    assert response["X-Accel-Redirect"] == "/_protected/" + image.original.name
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content == b""


def test_s3_storage_redirects_to_a_short_lived_signed_url(
    alice_client, finished, settings, monkeypatch
):
    settings.AWS_STORAGE_BUCKET_NAME = "studio-media"
    seen = {}

    def signed(name, parameters=None):
        seen.update(name=name, parameters=parameters)
        return "https://studio-media.s3.example.com/" + name + "?X-Amz-Signature=abc"

    monkeypatch.setattr(files.default_storage, "url", signed)
    _generation, (image, _) = finished
    response = alice_client.get(reverse("image_download", args=[image.pk]))
    assert response.status_code == 302
    assert response.url.startswith("https://studio-media.s3.example.com/originals/")
    assert "no-store" in response["Cache-Control"]
    assert seen["parameters"]["ResponseContentDisposition"].startswith("attachment;")


@pytest.mark.parametrize("name", ["image_download", "image_detail"])
def test_outsiders_get_404_for_image_views(bob_client, autumn_sale, finished, name):
    _generation, (image, _) = finished
    assert bob_client.get(reverse(name, args=[image.pk])).status_code == 404
