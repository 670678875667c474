"""IMS tokens and the gateway's checks on Firefly calls."""

import pytest
import requests

from generation.emulator import DEFAULT_CLIENT_ID, EmulatorConfig, EmulatorServer
from tests.emulator.support import Api, fetch_token, token_form


def test_it_issues_a_bearer_token_for_the_configured_credentials(emulator):
    response = requests.post(emulator.ims_url, data=token_form(), timeout=5)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert body["access_token"].startswith("eyJ")  # shaped like IMS's JWTs
    assert response.headers["x-request-id"]


def test_it_accepts_the_fields_in_the_query_string_too(emulator):
    response = requests.post(emulator.ims_url, params=token_form(), timeout=5)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": None}, 400, "invalid_request"),
        ({"client_id": None}, 400, "invalid_request"),
        ({"client_secret": None}, 400, "invalid_request"),
    ],
)
def test_it_refuses_bad_token_requests_in_the_oauth_shape(emulator, overrides, status, error):
    response = requests.post(emulator.ims_url, data=token_form(**overrides), timeout=5)

    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_it_wants_the_token_request_form_encoded(emulator):
    response = requests.post(emulator.ims_url, json=token_form(), timeout=5)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(client_id="my-id", client_secret="my-secret")]
)
def test_it_accepts_only_the_credentials_it_was_given(emulator):
    assert fetch_token(emulator, client_id="my-id", client_secret="my-secret")
    default = requests.post(emulator.ims_url, data=token_form(), timeout=5)
    assert default.status_code == 401


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(token_lifetime=60)])
def test_token_lifetime_is_configurable_and_tokens_expire(emulator):
    api = Api(emulator)
    assert api.get("/v3/custom-models").status_code == 200

    emulator.state.advance_time(61)

    assert api.get("/v3/custom-models").status_code == 401


def test_the_api_key_is_checked_before_the_token(emulator):
    token = fetch_token(emulator)
    missing = requests.post(
        f"{emulator.url}/v3/images/generate-async",
        json={"prompt": "x"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    wrong = requests.post(
        f"{emulator.url}/v3/images/generate-async",
        json={"prompt": "x"},
        headers={"Authorization": "Bearer nope", "x-api-key": "not-our-client"},
        timeout=5,
    )

    assert missing.status_code == 403
    assert missing.json() == {"error_code": "403000", "message": "Api Key is required"}
    assert wrong.status_code == 403
    assert wrong.json() == {"error_code": "403003", "message": "Api Key is invalid"}


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_a_missing_or_unknown_token_gets_the_gateway_401(emulator, authorization):
    headers = {"x-api-key": DEFAULT_CLIENT_ID}
    if authorization:
        headers["Authorization"] = authorization
    response = requests.get(f"{emulator.url}/v3/status/urn:ff:jobs:x:{'0' * 8}", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error_code": "401013", "message": "Oauth token is not valid"}


def test_custom_models_words_its_refusals_its_own_way(emulator):
    url = f"{emulator.url}/v3/custom-models"
    no_key = requests.get(url, timeout=5)
    no_token = requests.get(url, headers={"x-api-key": DEFAULT_CLIENT_ID}, timeout=5)

    assert no_key.status_code == 403
    assert no_key.json() == {"reason": "Forbidden", "message": "API Key is not accepted."}
    assert no_token.status_code == 401
    assert no_token.json() == {
        "reason": "Unauthorized",
        "message": "Authorization Token is not accepted.",
    }


def test_a_token_without_the_firefly_scope_is_forbidden(emulator):
    api = Api(emulator, scope="openid,AdobeID")

    response = api.generate()

    assert response.status_code == 403
    assert response.headers["x-access-error"] == "invalid_ims_scope"
    assert response.json()["error_code"] == "access_error"


def test_a_token_works_only_with_its_own_api_key():
    config = EmulatorConfig(extra_clients={"other-client": "other-secret"})
    with EmulatorServer(config) as server:
        other = fetch_token(server, client_id="other-client", client_secret="other-secret")
        response = requests.get(
            f"{server.url}/v3/custom-models",
            headers={"x-api-key": DEFAULT_CLIENT_ID, "Authorization": f"Bearer {other}"},
            timeout=5,
        )

    assert response.status_code == 401


def test_expiring_all_tokens_forces_a_new_token(emulator, api):
    assert api.get("/v3/custom-models").status_code == 200

    expired = requests.post(f"{emulator.url}/_emulator/tokens/expire", timeout=5).json()

    assert expired == {"expired": 1}
    assert api.get("/v3/custom-models").status_code == 401
    assert Api(emulator).get("/v3/custom-models").status_code == 200


def test_tokens_survive_a_reset(emulator, api):
    emulator.state.reset()

    assert api.get("/v3/custom-models").status_code == 200
