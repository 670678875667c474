"""GET /v3/custom-models: the seeded catalogue, paging, sorting and the publishedState filter."""

import pytest
import requests

from generation.emulator.catalogue import BASE_MODEL_VERSIONS
from tests.emulator.support import PROMPT


def models(api, **params) -> dict:
    response = api.get("/v3/custom-models", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def names(body: dict) -> list[str]:
    return [model["displayName"] for model in body["custom_models"]]


def test_by_default_it_lists_published_models_oldest_change_first(api):
    body = models(api)

    assert body["total_count"] == 5
    assert names(body) == [
        "Warm Custom Model",
        "Aurora Perfume Bottle",
        "Brand Pastel Illustration",
        "Fenn the Fox Mascot",
        "Nordic Knitwear Look",
    ]
    assert body["_links"]["page"] == {
        "href": "/v3/custom-models?start={start}&limit={limit}",
        "rel": "page",
        "templated": True,
    }
    assert "next" not in body["_links"]


def test_models_carry_every_documented_field(api):
    model = models(api)["custom_models"][1]

    assert model == {
        "version": "2",
        "assetName": "Aurora Perfume Bottle.ffcustommodel",
        "size": 9874120332,
        "etag": '"0c9a4f1e6b2d4d7fa8e1c3b5d7f90a12"',
        "trainingMode": "subject",
        "assetId": "urn:aaid:sc:VA6C2:5f0e2b7a-31c4-4d8e-9a61-0b7d4c2e8f13",
        "mediaType": "application/vnd.adobe.ffmodel+dcx",
        "createdDate": "2026-01-20T09:02:11.402Z",
        "modifiedDate": "2026-02-03T16:25:40.118Z",
        "publishedState": "published",
        "baseModel": {"name": "clio_v2", "version": "2.0.0"},
        "samplePrompt": "aurora-bottle on a marble counter, soft morning light",
        "displayName": "Aurora Perfume Bottle",
        "conceptId": "aurora-bottle",
    }


def test_the_catalogue_has_both_modes_and_both_bases(api):
    everything = models(api, publishedState="all")["custom_models"]

    assert {m["trainingMode"] for m in everything} == {"style", "subject"}
    assert {m["baseModel"]["name"] for m in everything} == set(BASE_MODEL_VERSIONS)
    assert all(m["conceptId"] for m in everything if m["trainingMode"] == "subject")
    assert all(m["conceptId"] == "" for m in everything if m["trainingMode"] == "style")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("all", 8),
        ("ready", 7),
        ("published", 5),
        ("unpublished", 1),
        ("training", 1),
        ("queued", 0),
        ("failed", 0),
        ("cancelled", 0),
    ],
)
def test_the_published_state_filter(api, state, expected):
    body = models(api, publishedState=state)

    assert body["total_count"] == expected
    assert len(body["custom_models"]) == expected


def test_paging_with_start_and_limit_and_a_next_link(api):
    first = models(api, start=0, limit=3, publishedState="all")
    second = api.get(first["_links"]["next"]["href"]).json()

    assert len(first["custom_models"]) == 3
    assert first["total_count"] == 8
    assert first["_links"]["next"]["rel"] == "next"
    assert "start=3" in first["_links"]["next"]["href"]
    assert len(second["custom_models"]) == 3
    assert not {m["assetId"] for m in first["custom_models"]} & {
        m["assetId"] for m in second["custom_models"]
    }
    last = api.get(second["_links"]["next"]["href"]).json()
    assert len(last["custom_models"]) == 2
    assert "next" not in last["_links"]


def test_a_start_past_the_end_gives_an_empty_page(api):
    body = models(api, start=50)

    assert body["custom_models"] == []
    assert body["total_count"] == 5


@pytest.mark.parametrize(
    ("sort_by", "field", "descending"),
    [
        ("assetName", "assetName", False),
        ("-assetName", "assetName", True),
        ("createdDate", "createdDate", False),
        ("-createdDate", "createdDate", True),
        ("-modifiedDate", "modifiedDate", True),
    ],
)
def test_sorting(api, sort_by, field, descending):
    values = [m[field] for m in models(api, sortBy=sort_by, publishedState="all")["custom_models"]]

    assert values == sorted(values, reverse=descending)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 51},
        {"limit": "ten"},
        {"start": -1},
        {"sortBy": "displayName"},
        {"publishedState": "everything"},
    ],
)
def test_bad_parameters_are_400_in_the_custom_models_shape(api, params):
    response = api.get("/v3/custom-models", params=params)

    assert response.status_code == 400
    assert set(response.json()) == {"reason", "message"}
    assert response.json()["reason"] == "Bad Request"


def test_tutorial_headers_on_a_get_are_fine(api):
    response = api.get("/v3/custom-models", headers={"Content-Type": "application/json"})

    assert response.status_code == 200


def test_a_model_added_through_the_control_api_is_listed_and_usable(emulator, api):
    model = {
        "asset_id": "urn:aaid:sc:VA6C2:11111111-2222-4333-8444-555555555555",
        "display_name": "Test Brand Look",
        "training_mode": "style",
        "base_model": "firefly_image4",
        "published_state": "published",
        "created": "2026-06-01T00:00:00.000Z",
        "modified": "2026-06-01T00:00:00.000Z",
        "sample_prompt": "a test",
    }
    added = requests.post(f"{emulator.url}/_emulator/custom-models", json=model, timeout=5)

    assert added.status_code == 200
    assert "Test Brand Look" in names(models(api))
    job = api.generate(
        {"prompt": PROMPT, "customModelId": model["asset_id"]}, model_version="image4_custom"
    )
    assert job.status_code == 202


def test_a_bad_model_is_refused_by_the_control_api(emulator):
    response = requests.post(
        f"{emulator.url}/_emulator/custom-models", json={"asset_id": "x"}, timeout=5
    )

    assert response.status_code == 400
