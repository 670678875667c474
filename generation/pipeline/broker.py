"""kombu's file-system transport, with messages that appear whole or not at all.

kombu's `filesystem` transport publishes by creating the message file under its final name and
then writing into it, while a consumer takes any `*.msg` file it lists (a rename) and reads it
without a lock. When a consumer lists the folder between the create and the write it reads an
empty file, `json.loads` fails and the worker stops with "Unrecoverable error:
JSONDecodeError" (seen by `python -m bench polling`: 200 generations published while the
worker was consuming). The message is lost with it.

This transport writes each message to a temporary name that consumers ignore, flushes it, then
renames it into place: a rename within one folder is atomic, so a consumer sees a complete
message or none. A message that still cannot be read (a file cut short by a power loss) is
logged and skipped instead of stopping the worker (the sweeper re-drives its generation).

Selected by `CELERY_BROKER_TRANSPORT` in settings when `CELERY_BROKER_URL=filesystem://`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from time import monotonic_ns
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)

#: Digits of a message's publishing key. Consumers take the first name in *string* order, so
#: keys must all be as long as each other: unpadded, 9999 ms of uptime sorted after 10000 ms.
#: Twenty digits of nanoseconds last about 3,000 years of uptime.
KEY_DIGITS = 20


def publishing_key() -> str:
    """A name prefix that sorts in publishing order across every process on this machine.

    Nanoseconds of the monotonic clock, which Linux shares between processes and never steps
    back (the wall clock may), zero-padded to `KEY_DIGITS`.
    """
    return f"{monotonic_ns():0{KEY_DIGITS}d}"


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Put `payload` onto `queue`: written under a name consumers skip, then renamed."""
        name = f"{publishing_key()}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str) -> Any:  # type: ignore[override]
        while True:
            try:
                return super()._get(queue)
            except ValueError as exc:  # json.JSONDecodeError: a damaged message
                logger.error("skipped an unreadable message on queue %s: %s", queue, exc)


class Transport(filesystem.Transport):
    Channel = Channel
