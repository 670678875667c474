"""POST /v2/storage/image: raw image bytes in, an upload id out."""

import pytest

from tests.emulator.support import PROMPT, Api, image_bytes

UPLOAD = "/v2/storage/image"


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("TIFF", "image/tiff")],
)
def test_it_stores_an_image_and_returns_its_id(emulator, api, fmt, content_type):
    response = api.post(UPLOAD, data=image_bytes(fmt), headers={"Content-Type": content_type})

    assert response.status_code == 200
    images = response.json()["images"]
    assert len(images) == 1
    assert len(images[0]["id"]) == 36
    assert emulator.state.counters()["uploads"] == 1


def test_jpeg_xl_is_checked_by_its_signature(api):
    jxl = b"\xff\x0a" + b"\x00" * 64

    response = api.post(UPLOAD, data=jxl, headers={"Content-Type": "image/jxl"})

    assert response.status_code == 200


def test_an_upload_id_can_be_used_as_a_reference(api):
    upload = api.post(UPLOAD, data=image_bytes("PNG"), headers={"Content-Type": "image/png"})
    upload_id = upload.json()["images"][0]["id"]
    body = {
        "prompt": PROMPT,
        "style": {"imageReference": {"source": {"uploadId": upload_id}}, "strength": 60},
        "structure": {"imageReference": {"source": {"uploadId": upload_id}}, "strength": 40},
    }

    assert api.generate(body).status_code == 202


def test_upload_ids_expire_after_seven_days(emulator, api):
    upload = api.post(UPLOAD, data=image_bytes("PNG"), headers={"Content-Type": "image/png"})
    upload_id = upload.json()["images"][0]["id"]
    emulator.state.advance_time(7 * 24 * 3600 + 1)
    api = Api(emulator)  # a fresh token: the old one expired too

    body = {"prompt": PROMPT, "style": {"imageReference": {"source": {"uploadId": upload_id}}}}
    assert api.generate(body).status_code == 422


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"", "image/png", 400, "empty_input_body"),
        (image_bytes("PNG"), "application/octet-stream", 415, "invalid_content_type"),
        (image_bytes("PNG"), "image/gif", 415, "invalid_content_type"),
        (b"definitely not a png", "image/png", 400, "bad_request"),
        (image_bytes("PNG"), "image/jpeg", 400, "bad_request"),
        (image_bytes("PNG")[:40], "image/png", 400, "bad_request"),
    ],
)
def test_it_refuses_what_is_not_an_image_of_the_allowed_types(
    api, data, content_type, status, code
):
    response = api.post(UPLOAD, data=data, headers={"Content-Type": content_type})

    assert response.status_code == status
    assert response.json()["error_code"] == code
    assert response.json()["message"]


def test_an_upload_over_15_mb_gets_413(api):
    too_big = image_bytes("PNG") + b"\x00" * (15 * 1024 * 1024)

    response = api.post(UPLOAD, data=too_big, headers={"Content-Type": "image/png"})

    assert response.status_code == 413


def test_a_chunked_upload_is_read_whole(api):
    data = image_bytes("JPEG", size=(64, 64))

    def chunks():
        for start in range(0, len(data), 100):
            yield data[start : start + 100]

    response = api.post(UPLOAD, data=chunks(), headers={"Content-Type": "image/jpeg"})

    assert response.status_code == 200
