"""`manage.py healthcheck web|worker|beat`: the container check of one process kind.

Every container runs the same image, so each kind needs a check of its own: the web answers
`/healthz/live` on its port; a worker (beat) has a fresh heartbeat from this very host, which
it writes from its consumer (scheduler) loop. Exit 0 when healthy, 1 with the reason when not.
"""

import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from generation.ops import heartbeat


def probe_host() -> str:
    """A Host header the web accepts: the first allowed host (a `.example.com` wildcard made
    concrete). Probing as 127.0.0.1 fails with 400 wherever ALLOWED_HOSTS names the real site."""
    for host in settings.ALLOWED_HOSTS:
        if host == "*":
            return "localhost"
        return f"healthcheck{host}" if host.startswith(".") else host
    return "localhost"


class Command(BaseCommand):
    help = "Exit 0 when this container's process (web, worker or beat) is healthy, else 1."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["web", "worker", "beat"])
        parser.add_argument("--port", type=int, default=8000, help="The web's port (default 8000).")
        parser.add_argument(
            "--timeout", type=float, default=4.0, help="Seconds to wait for the web (default 4)."
        )
        parser.add_argument(
            "--ready",
            action="store_true",
            help="web: ask /healthz/ready (every dependency) instead of /healthz/live.",
        )

    def handle(self, *args, kind, port, timeout, ready, **options):
        message = self._web(port, timeout, ready) if kind == "web" else self._process(kind)
        self.stdout.write(message)

    def _web(self, port: int, timeout: float, ready: bool) -> str:
        path = "/healthz/ready" if ready else "/healthz/live"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Host": probe_host()}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            raise CommandError(f"The web does not answer on port {port}: {exc}") from None
        if status != 200:
            raise CommandError(f"The web answered {path} with {status}.")
        return f"web: {path} answered 200"

    def _process(self, kind: str) -> str:
        max_age = (
            settings.HEALTH_WORKER_STALE_SECONDS
            if kind == "worker"
            else settings.HEALTH_BEAT_STALE_SECONDS
        )
        host = heartbeat.host_name()
        try:
            alive = heartbeat.fresh(kind, max_age, host=host).exists()
        except Exception as exc:
            raise CommandError(
                f"{kind}: its heartbeat cannot be read ({type(exc).__name__})."
            ) from None
        if not alive:
            raise CommandError(f"{kind}: no heartbeat from this host in the last {max_age:g} s.")
        return f"{kind}: heartbeat from this host within {max_age:g} s"
