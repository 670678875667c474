"""POST /v3/images/generate-async (and the removed synchronous endpoint)."""

import re

import pytest
import requests

from generation.emulator import EmulatorConfig, EmulatorServer
from tests.emulator.support import (
    IMAGE3_STYLE_MODEL,
    IMAGE4_STYLE_MODEL,
    NEVER_PUBLISHED_MODEL,
    PROMPT,
    UNPUBLISHED_MODEL,
    Api,
    tutorial_body,
)

JOB_ID = re.compile(r"urn:ff:jobs:[a-z0-9]+:[0-9a-f-]{36}")


def test_it_accepts_a_job_with_status_and_cancel_urls_on_its_own_host(emulator, api):
    response = api.generate({"prompt": PROMPT})

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"jobId", "statusUrl", "cancelUrl"}
    assert JOB_ID.fullmatch(body["jobId"])
    assert body["statusUrl"] == f"{emulator.url}/v3/status/{body['jobId']}"
    assert body["cancelUrl"] == f"{emulator.url}/v3/cancel/{body['jobId']}"
    assert body["statusUrl"] in response.headers["Link"]
    assert response.headers["x-request-id"]


def test_urls_follow_the_host_the_client_used(emulator, api):
    response = api.post(
        "/v3/images/generate-async", json={"prompt": PROMPT}, headers={"Host": "emulator:8765"}
    )

    assert response.json()["statusUrl"].startswith("http://emulator:8765/v3/status/")


def test_a_public_url_overrides_the_host():
    with EmulatorServer(EmulatorConfig(public_url="http://emulator.test:9000/")) as server:
        response = Api(server).generate()

    assert response.json()["cancelUrl"].startswith("http://emulator.test:9000/v3/cancel/")


def test_a_custom_model_with_presets_generates(api):
    body = tutorial_body(IMAGE3_STYLE_MODEL)

    job_id = api.submit(body, model_version="image3_custom", **{"x-accept-mimetype": "image/jpeg"})
    result = api.finished(job_id)["result"]

    assert [o["seed"] for o in result["outputs"]] == [66080, 82683]
    assert result["size"] == {"width": 2048, "height": 2048}
    assert result["contentClass"] == "photo"


def test_image4_custom_models_need_image4_custom(api):
    assert (
        api.generate(
            {"prompt": PROMPT, "customModelId": IMAGE4_STYLE_MODEL}, model_version="image4_custom"
        ).status_code
        == 202
    )
    wrong_family = api.generate(
        {"prompt": PROMPT, "customModelId": IMAGE4_STYLE_MODEL}, model_version="image3_custom"
    )
    assert wrong_family.status_code == 422
    assert wrong_family.json()["validation_errors"][0]["loc"] == ["header", "x-model-version"]


def errors_of(response: requests.Response) -> list[tuple[tuple, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_code"] == "validation_error"
    return [(tuple(e["loc"]), e["type"]) for e in body["validation_errors"]]


@pytest.mark.parametrize(
    ("body", "model_version", "expected"),
    [
        ({}, None, (("body", "prompt"), "value_error.missing")),
        ({"prompt": ""}, None, (("body", "prompt"), "value_error.any_str.min_length")),
        ({"prompt": "x" * 1025}, None, (("body", "prompt"), "value_error.any_str.max_length")),
        ({"prompt": 7}, None, (("body", "prompt"), "type_error.str")),
        (
            {"prompt": PROMPT, "size": {"width": 1000, "height": 1000}},
            None,
            (("body", "size"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "size": {"width": 1024, "height": 1024}},
            "image4_standard",
            (("body", "size"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "size": {"width": 5000, "height": 2048}},
            None,
            (("body", "size", "width"), "value_error.number.not_le"),
        ),
        (
            {"prompt": PROMPT, "size": {"width": 2048}},
            None,
            (("body", "size", "height"), "value_error.missing"),
        ),
        (
            {"prompt": PROMPT, "style": {"presets": ["painting", "not_a_preset"]}},
            None,
            (("body", "style", "presets", 1), "type_error.enum"),
        ),
        (
            {"prompt": PROMPT, "style": {"presets": [{}]}},
            None,
            (("body", "style", "presets", 0), "type_error.str"),
        ),
        (
            {"prompt": PROMPT, "style": {"presets": ["bw", ["bw"]]}},
            None,
            (("body", "style", "presets", 1), "type_error.str"),
        ),
        (
            {"prompt": PROMPT, "style": {"strength": 0}},
            None,
            (("body", "style", "strength"), "value_error.number.not_ge"),
        ),
        ({"prompt": PROMPT}, "image9", (("header", "x-model-version"), "type_error.enum")),
        ({"prompt": PROMPT}, "image3_custom", (("body", "customModelId"), "value_error.missing")),
        (
            {"prompt": PROMPT, "customModelId": IMAGE3_STYLE_MODEL},
            "image3",
            (("body", "customModelId"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "customModelId": "urn:aaid:sc:VA6C2:nope"},
            "image3_custom",
            (("body", "customModelId"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "customModelId": UNPUBLISHED_MODEL},
            "image3_custom",
            (("body", "customModelId"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "customModelId": NEVER_PUBLISHED_MODEL},
            "image4_custom",
            (("body", "customModelId"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "customModelId": IMAGE3_STYLE_MODEL, "negativePrompt": "blur"},
            "image3_custom",
            (("body", "negativePrompt"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "customModelId": IMAGE4_STYLE_MODEL, "visualIntensity": 5},
            "image4_custom",
            (("body", "visualIntensity"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "upsamplerType": "default"},
            "image4_standard",
            (("body", "upsamplerType"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "numVariations": 3, "seeds": [1, 2]},
            None,
            (("body", "numVariations"), "value_error"),
        ),
        (
            {"prompt": PROMPT, "numVariations": 5},
            None,
            (("body", "numVariations"), "value_error.number.not_le"),
        ),
        (
            {"prompt": PROMPT, "seeds": [1, 1]},
            None,
            (("body", "seeds"), "value_error.list.unique_items"),
        ),
        (
            {"prompt": PROMPT, "seeds": [1, -1]},
            None,
            (("body", "seeds", 1), "value_error.number.not_ge"),
        ),
        (
            {"prompt": PROMPT, "numVariations": True},
            None,
            (("body", "numVariations"), "type_error.integer"),
        ),
        (
            {"prompt": PROMPT, "contentClass": "painting"},
            None,
            (("body", "contentClass"), "type_error.enum"),
        ),
        (
            {"prompt": PROMPT, "visualIntensity": 11},
            None,
            (("body", "visualIntensity"), "value_error.number.not_le"),
        ),
        (
            {"prompt": PROMPT, "promptBiasingLocaleCode": "english"},
            None,
            (("body", "promptBiasingLocaleCode"), "value_error.str.regex"),
        ),
        (
            {"prompt": PROMPT, "style": {"imageReference": {"source": {"uploadId": "nope"}}}},
            None,
            (("body", "style", "imageReference", "source", "uploadId"), "value_error"),
        ),
        (
            {
                "prompt": PROMPT,
                "structure": {"imageReference": {"source": {"url": "https://evil.example/x"}}},
            },
            None,
            (("body", "structure", "imageReference", "source", "url"), "value_error.url.host"),
        ),
    ],
)
def test_it_refuses_invalid_requests_naming_the_field(api, body, model_version, expected):
    assert expected in errors_of(api.generate(body, model_version=model_version))


def test_it_reports_every_problem_at_once(api):
    response = api.generate({"prompt": "", "numVariations": 9, "contentClass": "x"})

    assert {loc for loc, _ in errors_of(response)} == {
        ("body", "prompt"),
        ("body", "numVariations"),
        ("body", "contentClass"),
    }


def test_unknown_fields_are_ignored_like_pydantic_does(api):
    assert api.generate({"prompt": PROMPT, "photoSettings": {"aperture": 2}}).status_code == 202


def test_a_body_that_is_not_an_object_is_a_validation_error(api):
    response = api.post("/v3/images/generate-async", json=["prompt"])

    assert errors_of(response) == [(("body",), "type_error.dict")]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"", "application/json", 400, "empty_input_body"),
        (b"   ", "application/json", 400, "empty_input_body"),
        (b'{"prompt": "x"', "application/json", 400, "bad_request"),
        (b'{"prompt": "x"}', "text/plain", 415, "invalid_content_type"),
        (b'{"prompt": "x"}', None, 415, "invalid_content_type"),
    ],
)
def test_malformed_bodies_and_content_types(api, data, content_type, status, code):
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.post("/v3/images/generate-async", data=data, headers=headers)

    assert response.status_code == status
    assert response.json()["error_code"] == code


def test_multipart_with_a_request_field_is_accepted(api):
    response = api.post(
        "/v3/images/generate-async", files={"request": (None, '{"prompt": "a lighthouse"}')}
    )

    assert response.status_code == 202


def test_an_oversized_json_body_gets_the_gateways_413_page(api):
    response = api.post(
        "/v3/images/generate-async",
        data=b'{"prompt": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "text/html"


def test_default_seeds_are_deterministic_per_emulator_seed(emulator, api):
    first = api.finished(api.submit({"prompt": PROMPT, "numVariations": 3}))
    emulator.state.reset()
    again = api.finished(api.submit({"prompt": PROMPT, "numVariations": 3}))

    seeds = [o["seed"] for o in first["result"]["outputs"]]
    assert seeds == [o["seed"] for o in again["result"]["outputs"]]
    assert len(set(seeds)) == 3
    assert all(0 <= seed < 2**31 for seed in seeds)
    assert first["jobId"] == again["jobId"]  # job ids come from the seeded generator too


def test_the_removed_sync_endpoint_answers_in_the_old_shape(emulator, api):
    response = api.post(
        "/v3/images/generate",
        json={"prompt": "Fun, abstract tourism doodle", "size": {"width": 2688, "height": 1536}},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["size"] == {"width": 2688, "height": 1536}
    assert body["contentClass"] in ("photo", "art")
    assert len(body["outputs"]) == 1
    image = requests.get(body["outputs"][0]["image"]["url"], timeout=10)
    assert image.status_code == 200
    assert emulator.state.counters()["received"]["sync_generate"] == 1


def test_the_sync_endpoint_refuses_unsafe_prompts_with_422_like_it_did(api):
    response = api.post("/v3/images/generate", json={"prompt": "a forbidden-word poster"})

    assert response.status_code == 422
    assert response.json()["error_code"] == "prompt_unsafe"


def test_endpoints_it_does_not_emulate_answer_501(api):
    response = api.post("/v4/images/generate-async", json={"prompt": PROMPT})

    assert response.status_code == 501
    assert response.json()["error_code"] == "not_implemented"
