"""Adobe's two tutorials, step by step, with plain ``requests`` against the emulator.

1. Custom models (DOCS guides/how-tos/cm-generate-image): token -> list custom models ->
   async generate with a custom model and style presets -> poll -> download.
2. Generate image (DOCS guides/how-tos/firefly-generate-image-api-tutorial.md): token -> the
   removed synchronous POST /v3/images/generate, as older scripts still call it.

The tutorials' own bugs are not copied: ``assetId`` (not ``repo:assetId``), and the polling loop
stops on every terminal status.
"""

import io
import time

import pytest
import requests
from PIL import Image

from generation.emulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig
from tests.emulator.support import tutorial_body

TERMINAL = {"succeeded", "failed", "cancelled", "canceled", "timeout"}


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Real time, short: the tutorial scripts sleep between polls.
    return EmulatorConfig(pending_seconds=0.1, job_seconds=0.3)


def retrieve_access_token(ims_url: str, scope: str) -> str:
    payload = {
        "grant_type": "client_credentials",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "scope": scope,
    }
    response = requests.post(ims_url, data=payload, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


def firefly_headers(access_token: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "x-api-key": DEFAULT_CLIENT_ID,
        "Authorization": f"Bearer {access_token}",
    }


def test_custom_model_tutorial(emulator):
    access_token = retrieve_access_token(emulator.ims_url, "openid,AdobeID,firefly_api,ff_apis")

    # List custom models
    response = requests.get(
        f"{emulator.url}/v3/custom-models", headers=firefly_headers(access_token), timeout=10
    )
    response.raise_for_status()
    models_response = response.json()
    first = models_response["custom_models"][0]
    assert "repo:assetId" not in first  # tutorial bug #2: the id is "assetId"
    custom_model_id = first["assetId"]
    assert first["baseModel"]["name"] == "clio_v2"  # an Image 3 base: image3_custom

    # Generate images with the custom model
    headers = {
        **firefly_headers(access_token),
        "x-accept-mimetype": "image/jpeg",
        "x-model-version": "image3_custom",
    }
    data = tutorial_body(custom_model_id)
    response = requests.post(
        f"{emulator.url}/v3/images/generate-async", headers=headers, json=data, timeout=10
    )
    response.raise_for_status()
    job = response.json()
    assert response.status_code == 202

    # Check the job status until it ends (any terminal status, not only succeeded/failed)
    deadline = time.monotonic() + 10
    seen = set()
    while True:
        status = requests.get(job["statusUrl"], headers=firefly_headers(access_token), timeout=10)
        status.raise_for_status()
        body = status.json()
        seen.add(body["status"])
        if body["status"] in TERMINAL or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert body["status"] == "succeeded"
    assert "running" in seen

    # Download the outputs: plain GETs on the pre-signed URLs, no Firefly headers
    outputs = body["result"]["outputs"]
    assert [output["seed"] for output in outputs] == [66080, 82683]
    for output in outputs:
        image_response = requests.get(output["image"]["url"], timeout=10)
        image_response.raise_for_status()
        image = Image.open(io.BytesIO(image_response.content))
        assert (image.format, image.size) == ("JPEG", (2048, 2048))


IMAGE_VARIATIONS = [
    {"location": "Paris, France", "locale": "fr-FR", "customPrompt": "Includes croissants."},
    {"location": "Tokyo, Japan", "locale": "ja-JP", "customPrompt": "Includes delicious sushi."},
]


def test_generate_image_tutorial_with_the_removed_sync_endpoint(emulator):
    access_token = retrieve_access_token(
        emulator.ims_url,
        "openid,AdobeID,session,additional_info,read_organizations,firefly_api,ff_apis",
    )

    images = []
    for variation in IMAGE_VARIATIONS:
        data = {
            "prompt": "Fun, abstract tourism doodle that inspires travel to "
            f"{variation['location']}. {variation['customPrompt']}",
            "size": {"width": 2688, "height": 1536},
            "promptBiasingLocaleCode": variation["locale"],
            "style": {"presets": ["doodle_drawing", "scribble_texture"]},
        }
        response = requests.post(
            f"{emulator.url}/v3/images/generate",
            headers=firefly_headers(access_token),
            json=data,
            timeout=10,
        )
        response.raise_for_status()
        images.append(response.json())

    for result in images:
        assert result["size"] == {"width": 2688, "height": 1536}
        (output,) = result["outputs"]
        picture = requests.get(output["image"]["url"], timeout=10)
        picture.raise_for_status()
        assert Image.open(io.BytesIO(picture.content)).size == (2688, 1536)
    assert images[0]["outputs"][0]["image"]["url"] != images[1]["outputs"][0]["image"]["url"]
