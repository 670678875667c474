"""A bounded schema fuzz of the emulator, driven by Adobe's OpenAPI document.

Schemathesis generates requests for every operation of ``FIREFLY_OPENAPI_SPEC`` that the
emulator serves: valid ones, and invalid ones (wrong types, values out of range, missing fields,
``style.presets`` holding objects...). No answer may be a 5xx, and every answer the spec
documents must match its schema. The run is deterministic (derandomized, no example database)
and bounded (``EXAMPLES`` per operation and generation mode), so it finds the same things on
every machine in a few seconds.
"""

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from generation.emulator import EmulatorServer
from tests.contract import spec
from tests.emulator.support import Api

SPEC = spec.require_spec()

#: The operations the emulator serves (the others answer 501 `not_implemented`).
SERVED = {
    ("POST", "/v3/images/generate-async"),
    ("GET", "/v3/status/{jobId}"),
    ("PUT", "/v3/cancel/{jobId}"),
    ("POST", "/v2/storage/image"),
    ("GET", "/v3/custom-models"),
}
#: Hypothesis examples per operation (on top of the schema's examples and Schemathesis's
#: deterministic coverage cases): about 25 s for all five on the shared 2-core machine under load.
EXAMPLES = 25

CONFIG = SchemathesisConfig.from_dict(
    {
        # Credentials come from the emulator's token (`fuzz_api`), never generated: a
        # request without them is the gateway's business, not the spec's.
        "generation": {"with-security-parameters": False, "deterministic": True},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}},
    }
)
# Uploads may also be TIFF or JPEG XL: send whatever bytes are generated, as for any file.
schemathesis.serializer.alias(["image/tiff", "image/jxl"], "application/octet-stream")
schema = schemathesis.openapi.from_dict(copy.deepcopy(SPEC.document), config=CONFIG).include(
    lambda context: (context.operation.method.upper(), context.operation.path) in SERVED
)


def test_the_fuzz_covers_every_operation_the_emulator_serves():
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert operations == SERVED


@pytest.fixture(scope="module")
def fuzz_api():
    """One emulator for the whole run (Hypothesis calls the test many times per fixture)."""
    with EmulatorServer() as server:
        yield Api(server)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_no_generated_request_gets_a_5xx_or_an_answer_outside_the_spec(case, fuzz_api):
    response = case.call(base_url=fuzz_api.server.url, session=fuzz_api.session, timeout=10)
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
