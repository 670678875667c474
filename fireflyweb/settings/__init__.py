"""Settings for Firefly Campaign Studio.

Every value comes from the environment (see `.env.example` for the full list with defaults).
The defaults describe the embedded mode: SQLite, a file-system Celery broker, media on local disk
and the local Firefly emulator, so a fresh clone runs with no services at all.

- `base`: Django itself — core, database, cache, sign-in, static and media, security;
- `integrations`: what the studio talks to and runs — Firefly, Celery and beat, health checks,
  email, exports, logs and error reports.
"""

from fireflyweb.settings.base import *  # noqa: F403
from fireflyweb.settings.integrations import *  # noqa: F403
