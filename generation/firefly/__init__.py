"""Adobe Firefly REST client (plain ``requests``, no Django).

Typical use::

    from generation.firefly import FireflyClient, FireflyConfig, GenerateRequest, errors

    client = FireflyClient(FireflyConfig(client_id=..., client_secret=...), token_cache=cache)
    job = client.submit_generation(GenerateRequest(prompt="a red kite over dunes"))
    status = client.job_status(job)          # poll until status.is_terminal
    status.raise_for_status()
    with open("out.jpg", "wb") as fh:
        client.download_output(status.outputs[0].url, fh)
"""

from . import errors, facts, validation
from .auth import InMemoryTokenCache, TokenCache
from .client import FireflyClient
from .config import FireflyConfig
from .types import (
    CustomModel,
    DownloadedOutput,
    GenerateRequest,
    JobStatus,
    Output,
    SubmittedJob,
)

__all__ = [
    "CustomModel",
    "DownloadedOutput",
    "FireflyClient",
    "FireflyConfig",
    "GenerateRequest",
    "InMemoryTokenCache",
    "JobStatus",
    "Output",
    "SubmittedJob",
    "TokenCache",
    "errors",
    "facts",
    "validation",
]
