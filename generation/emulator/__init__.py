"""A local stand-in for Adobe Firefly Services (IMS token endpoint + Firefly image API).

One origin serves both halves, at the real paths, so pointing ``FIREFLY_IMS_URL`` at
``http://127.0.0.1:8765/ims/token/v3`` and ``FIREFLY_API_BASE`` at ``http://127.0.0.1:8765`` is
the whole switch. Plain Python (stdlib, Pillow, werkzeug); start it with
``python -m generation.emulator`` or ``python manage.py firefly_emulator``, or in-process::

    from generation.emulator import EmulatorConfig, EmulatorServer

    with EmulatorServer(EmulatorConfig(job_seconds=0.2)) as server:
        ...  # server.url, server.ims_url, server.state (faults, config, counters, jobs)

What it does and does not reproduce: docs/emulator.md.
"""

from .catalogue import CustomModel
from .config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig
from .faults import FaultRule
from .server import EmulatorServer
from .state import EmulatorState

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "CustomModel",
    "EmulatorConfig",
    "EmulatorServer",
    "EmulatorState",
    "FaultRule",
]
