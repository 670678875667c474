"""Validate bodies against Adobe's OpenAPI document (``FIREFLY_OPENAPI_SPEC``), reusable anywhere.

::

    from tests.contract import spec

    spec.validate_response("/v3/status/urn:ff:jobs:x:...", "GET", 200, body)
    spec.validate_request_body("/v3/images/generate-async", "POST", body)

Paths may be concrete (``/v3/status/urn:...``) or templated (``/v3/status/{jobId}``). OpenAPI 3.1
schemas are JSON Schema 2020-12, so ``jsonschema`` validates them directly, with ``$ref``s
resolved inside the document. A failure raises ``SpecMismatchError`` (an AssertionError) listing
every problem with its location. The document is found through the ``FIREFLY_OPENAPI_SPEC``
environment variable; only when that is unset, ``../shared/firefly/openapi.json`` next to the
repository is used if it exists.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ENV_VAR = "FIREFLY_OPENAPI_SPEC"
REPO = Path(__file__).resolve().parents[2]
FALLBACK = REPO.parent / "shared" / "firefly" / "openapi.json"
_BASE_URI = "urn:firefly:openapi"


class SpecMismatchError(AssertionError):
    """A body does not match the schema the spec documents for it."""


class NotInSpecError(AssertionError):
    """The spec documents no such path, method, status or content type."""


def spec_path() -> Path | None:
    """Where the OpenAPI document is, or None when it is not configured / not found."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_file() else None
    return FALLBACK if FALLBACK.is_file() else None


def require_spec() -> OpenApiSpec:
    """The spec, or skip the calling test module with the reason (call at module level)."""
    import pytest

    path = spec_path()
    if path is None:
        configured = os.environ.get(ENV_VAR)
        reason = (
            f"{ENV_VAR}={configured} does not exist"
            if configured
            else f"{ENV_VAR} is not set (and {FALLBACK} does not exist)"
        )
        pytest.skip(
            f"contract tests need Adobe's OpenAPI document: {reason}", allow_module_level=True
        )
    return load_spec(str(path))


@cache
def load_spec(path: str | None = None) -> OpenApiSpec:
    """The parsed spec at ``path`` (default: ``spec_path()``), loaded once."""
    where = path or spec_path()
    if where is None:
        raise FileNotFoundError(f"set {ENV_VAR} to Adobe's openapi.json")
    return OpenApiSpec(json.loads(Path(where).read_text()))


class OpenApiSpec:
    """One OpenAPI 3.1 document, with validators for its request and response bodies."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource(contents=document, specification=DRAFT202012)
        self._registry = Registry().with_resource(_BASE_URI, resource)
        self._templates = [
            (re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(t)) + "$"), t)
            for t in document.get("paths", {})
        ]

    def template(self, path: str) -> str:
        """The spec's path template for a concrete path."""
        if path in self.document["paths"]:
            return path
        for pattern, template in self._templates:
            if pattern.match(path):
                return template
        raise NotInSpecError(f"the spec has no path matching {path}")

    def operation(self, path: str, method: str) -> tuple[str, dict[str, Any]]:
        template = self.template(path)
        operation = self.document["paths"][template].get(method.lower())
        if operation is None:
            raise NotInSpecError(f"the spec has no {method.upper()} {template}")
        return template, operation

    def is_documented(self, path: str, method: str, status: int) -> bool:
        try:
            _, operation = self.operation(path, method)
        except NotInSpecError:
            return False
        return str(status) in operation.get("responses", {})

    def validate_response(
        self,
        path: str,
        method: str,
        status: int,
        body: Any,
        content_type: str = "application/json",
    ) -> None:
        """Check ``body`` against the schema documented for this response."""
        template, operation = self.operation(path, method)
        responses = operation.get("responses", {})
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            raise NotInSpecError(f"{method.upper()} {template} documents no {status}")
        content = responses[key].get("content")
        if not content:
            if body not in (None, b"", "", {}):
                raise SpecMismatchError(f"{method.upper()} {template} {status} documents no body")
            return
        if content_type not in content:
            raise SpecMismatchError(
                f"{method.upper()} {template} {status} has no {content_type} body "
                f"(documented: {', '.join(content)})"
            )
        pointer = ("paths", template, method.lower(), "responses", key, "content")
        self._validate(
            (*pointer, content_type, "schema"), body, f"{method.upper()} {path} {status}"
        )

    def validate_request_body(
        self, path: str, method: str, body: Any, content_type: str = "application/json"
    ) -> None:
        """Check a request ``body`` against the operation's request schema."""
        template, operation = self.operation(path, method)
        content = operation.get("requestBody", {}).get("content", {})
        if content_type not in content:
            raise NotInSpecError(f"{method.upper()} {template} takes no {content_type} body")
        pointer = ("paths", template, method.lower(), "requestBody", "content", content_type)
        self._validate((*pointer, "schema"), body, f"{method.upper()} {path} request body")

    def validate_component(self, name: str, instance: Any) -> None:
        """Check ``instance`` against ``#/components/schemas/<name>``."""
        if name not in self.document.get("components", {}).get("schemas", {}):
            raise NotInSpecError(f"the spec has no schema {name}")
        self._validate(("components", "schemas", name), instance, name)

    def _validate(self, pointer: tuple[str, ...], instance: Any, what: str) -> None:
        """Validate against the schema at ``pointer`` (JSON-pointer parts) in the document."""
        escaped = "/".join(p.replace("~", "~0").replace("/", "~1") for p in pointer)
        reference = {"$ref": f"{_BASE_URI}#/{quote(escaped, safe='/~')}"}
        validator = Draft202012Validator(reference, registry=self._registry)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            details = "\n".join(
                f"  at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in errors
            )
            raise SpecMismatchError(f"{what} does not match the spec:\n{details}")


def validate_response(
    path: str, method: str, status: int, body: Any, content_type: str = "application/json"
) -> None:
    """``OpenApiSpec.validate_response`` on the configured spec."""
    load_spec().validate_response(path, method, status, body, content_type)


def validate_request_body(
    path: str, method: str, body: Any, content_type: str = "application/json"
) -> None:
    """``OpenApiSpec.validate_request_body`` on the configured spec."""
    load_spec().validate_request_body(path, method, body, content_type)
