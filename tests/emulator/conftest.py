"""Fixtures for the emulator tests: a fresh emulator per test, on an ephemeral port.

These tests need no Django. The root conftest does, so to run them without it:
``pytest tests/emulator -p no:django --confcutdir tests/emulator``.
"""

import pytest

from generation.emulator import EmulatorConfig, EmulatorServer
from tests.emulator.support import Api


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """Override in a module (or parametrize) to start the emulator differently."""
    return EmulatorConfig()


@pytest.fixture
def emulator(emulator_config):
    with EmulatorServer(emulator_config) as server:
        yield server


@pytest.fixture
def api(emulator) -> Api:
    return Api(emulator)
