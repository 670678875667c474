"""Helpers for talking to the emulator with plain ``requests`` (fixtures live in conftest.py)."""

from __future__ import annotations

import io
from typing import Any

import requests
from PIL import Image

from generation.emulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorServer

SCOPE = "openid,AdobeID,firefly_api,ff_apis"
PROMPT = "a red fox in a snowy forest"
#: Published models of the seeded catalogue, by base (see generation/emulator/catalogue.py).
IMAGE3_STYLE_MODEL = "urn:aaid:sc:VA6C2:bc1f46cd-be98-4a7b-9ffe-3c2a1e7d5b10"
IMAGE4_STYLE_MODEL = "urn:aaid:sc:VA6C2:9d3c1a52-7e8f-4b06-b2d4-6a1f0e9c3b77"
UNPUBLISHED_MODEL = "urn:aaid:sc:VA6C2:2a7f9e31-b6c0-4e58-a4d2-91c3e5f7a8b6"
NEVER_PUBLISHED_MODEL = "urn:aaid:sc:VA6C2:c8e2d4f6-0a1b-4c3d-9e5f-7a8b9c0d1e2f"


def tutorial_body(custom_model_id: str) -> dict[str, Any]:
    """The generate body of Adobe's custom-model tutorial (use with ``image3_custom``)."""
    return {
        "numVariations": 2,
        "seeds": [66080, 82683],
        "size": {"width": 2048, "height": 2048},
        "prompt": "An almond seed in a warm setting",
        "contentClass": "photo",
        "visualIntensity": 6,
        "style": {"presets": ["painting"], "strength": 50},
        "promptBiasingLocaleCode": "en-US",
        "customModelId": custom_model_id,
    }


def token_form(**overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "scope": SCOPE,
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def fetch_token(server: EmulatorServer, **overrides: str) -> str:
    response = requests.post(server.ims_url, data=token_form(**overrides), timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


class Api:
    """A ``requests.Session`` with a token for the emulator, sending what a careful client sends."""

    def __init__(self, server: EmulatorServer, client_id: str = DEFAULT_CLIENT_ID, **token: str):
        self.server = server
        self.token = fetch_token(server, client_id=client_id, **token)
        self.session = requests.Session()
        self.session.headers.update(
            {
                "x-api-key": client_id,
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
            }
        )

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.server.url + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def generate(
        self, body: dict[str, Any] | None = None, model_version: str | None = None, **headers: str
    ) -> requests.Response:
        if model_version:
            headers["x-model-version"] = model_version
        return self.post(
            "/v3/images/generate-async",
            json={"prompt": PROMPT} if body is None else body,
            headers=headers,
        )

    def submit(self, body: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """Submit and return the job id (asserting the 202)."""
        response = self.generate(body, **kwargs)
        assert response.status_code == 202, response.text
        return response.json()["jobId"]

    def status(self, job_id: str) -> dict[str, Any]:
        response = self.get(f"/v3/status/{job_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def finished(self, job_id: str) -> dict[str, Any]:
        """Move the clock past any job's end and return the job's status body."""
        self.server.state.advance_time(60)
        return self.status(job_id)

    def output_urls(self, body: dict[str, Any] | None = None, **kwargs: Any) -> list[str]:
        result = self.finished(self.submit(body, **kwargs))["result"]
        return [output["image"]["url"] for output in result["outputs"]]
