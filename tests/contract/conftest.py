"""Fixtures for the contract tests: an emulator and a session holding its token.

No Django needed: ``pytest tests/contract -p no:django --confcutdir tests/contract``.
"""

import pytest

from generation.emulator import EmulatorServer
from tests.emulator.support import Api


@pytest.fixture
def emulator():
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def api(emulator) -> Api:
    return Api(emulator)
