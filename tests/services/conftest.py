import pytest


@pytest.fixture(autouse=True)
def _no_pacing(request, settings):
    """Service tests call Firefly back to back; the rate limiter has tests of its own."""
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator")  # it sets the emulator's pace; this comes after
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
