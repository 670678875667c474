"""Originals, renditions, exports, clean-up, deletion and pre-signed downloads, for real against
the S3-compatible server CI starts (skipped without one: see conftest.py)."""

import io
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from generation.collab import exports, review
from generation.models import Image
from generation.pipeline.submit import generation_submit
from tests.factories import make_generation, make_image
from tests.pipeline.support import create_generation, poll_now
from tests.storage.conftest import s3_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(spring_launch, alice):
    return make_image(make_generation(spring_launch, alice), 0)


def fetch(url: str) -> requests.Response:
    # A browser following the studio's redirect: nothing but the signed URL itself.
    return requests.get(url, timeout=10)


def test_the_media_storage_writes_reads_and_deletes_in_the_bucket(bucket):
    name = default_storage.save("probe/hello.txt", ContentFile(b"hello"))
    assert bucket.read(name) == b"hello"
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"hello"
    default_storage.delete(name)
    assert not bucket.has(name)


def test_ingest_writes_originals_and_renditions_to_the_bucket(
    emulator, settings, spring_launch, alice, bucket
):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    emulator.state.advance_time(5)

    assert poll_now(generation).outcome == "succeeded"

    images = list(Image.objects.filter(generation=generation))
    assert len(images) == 2
    expected = set()
    for stored in images:
        expected.add(stored.original.name)
        assert len(bucket.read(stored.original.name)) == stored.bytes
        for rendition in stored.renditions.all():
            expected.add(rendition.file.name)
            assert bucket.read(rendition.file.name)[:2] == b"\xff\xd8"  # a JPEG
    assert bucket.keys() == expected


def test_a_download_is_a_sigv4_presigned_redirect_to_the_endpoint(alice_client, image, bucket):
    response = alice_client.get(reverse("image_download", args=[image.pk]))

    assert response.status_code == 302
    assert response.url.startswith(s3_endpoint() + "/")
    query = parse_qs(urlsplit(response.url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]
    assert "no-store" in response["Cache-Control"]
    downloaded = fetch(response.url)
    assert downloaded.status_code == 200
    assert downloaded.content == bucket.read(image.original.name)
    assert downloaded.headers["Content-Disposition"].startswith("attachment;")


def test_a_rendition_link_redirects_to_the_rendition_in_the_bucket(alice_client, image):
    grid = image.renditions.get(spec="grid")
    token = grid.file.name.rsplit("/", 1)[-1]  # the URL carries the file's last segment
    response = alice_client.get(reverse("rendition_file", args=[grid.pk, token]))
    assert response.status_code == 302
    served = fetch(response.url)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.content[:2] == b"\xff\xd8"


def test_an_export_is_built_into_the_bucket_downloaded_and_cleaned_up(
    spring_launch, alice, alice_client, bucket
):
    generation = make_generation(spring_launch, alice, num_variations=2)
    made = [make_image(generation, i) for i in range(2)]
    export = exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    assert exports.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    assert bucket.has(export.file.name)

    token = exports.export_download_token(export)
    response = alice_client.get(reverse("export_download", args=[export.pk, token]))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.url).query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    archive = zipfile.ZipFile(io.BytesIO(fetch(response.url).content))
    assert {n for n in archive.namelist() if n.startswith("images/")} == {
        f"images/{i.download_name()}" for i in made
    }

    assert exports.exports_cleanup(now=export.expires_at) == 1
    assert not bucket.has(export.file.name)


def test_deleting_an_image_deletes_its_objects(
    image, alice, bucket, django_capture_on_commit_callbacks
):
    names = [image.original.name, *(r.file.name for r in image.renditions.all())]
    assert all(bucket.has(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        review.image_delete(image=image, user=alice)
    assert not any(bucket.has(name) for name in names)


def test_pages_allow_images_from_the_endpoint_and_no_other_https_host(alice_client):
    policy = alice_client.get(reverse("campaign_list"))["Content-Security-Policy"]
    img_src = next(d for d in policy.split("; ") if d.startswith("img-src"))
    assert s3_endpoint() in img_src.split()
    assert "https:" not in img_src.split()
