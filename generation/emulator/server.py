"""HTTP plumbing: a threaded stdlib server whose handler owns the socket.

Owning the socket is what lets the emulator misbehave the way networks do: reset a connection
(``SO_LINGER`` 0, so the peer gets an RST), close without answering, or hang up half-way through
a body. Responses are written in one piece (status line, headers and body) on a socket with
``TCP_NODELAY``, and HTTP/1.1 keep-alive works for ``requests.Session``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

from . import pipeline
from .config import EmulatorConfig
from .errors import bad_request, gateway_html, reason
from .messages import Request, Response
from .state import EmulatorState

logger = logging.getLogger(__name__)

#: Bodies above this are refused (413) without being read; the routes apply smaller limits.
MAX_BODY_BYTES = 32 * 1024 * 1024


class EmulatorServer:
    """The Firefly emulator on its own port, served from a daemon thread.

    ::

        with EmulatorServer(EmulatorConfig(job_seconds=0.2)) as server:
            requests.post(server.ims_url, data={...})
            server.state.add_faults({"match": "generate", "kind": "error", "status": 503})

    ``state`` gives tests the same controls as the HTTP control API (``/_emulator/...``).
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.state = EmulatorState(self.config)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        """Bind (port 0: an ephemeral port) and serve in the background; returns self."""
        if self._httpd is not None:
            raise RuntimeError("the emulator is already running")
        self._httpd = _HTTPServer((self.config.host, self.config.port), self.state)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"firefly-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections (idempotent)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The API base, e.g. ``http://127.0.0.1:54321`` (what FIREFLY_API_BASE points at)."""
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    @property
    def ims_url(self) -> str:
        """The token endpoint (what FIREFLY_IMS_URL points at)."""
        return f"{self.url}/ims/token/v3"

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        self.state = state
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall on a bad resolver.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already gone
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "firefly-emulator"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are dropped after this
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        with contextlib.suppress(OSError):  # reset on purpose, or by the peer
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _serve(self) -> None:
        request_id = self.headers.get("x-request-id") or uuid.uuid4().hex
        try:
            body = self._read_body()
        except ValueError:  # a malformed Content-Length or chunk size
            body, refusal = None, bad_request("bad_request", "Malformed request framing.").response
        else:
            refusal = gateway_html(413)
        if body is None:
            self.close_connection = True  # the rest of the body is still on the wire
            refusal.headers["x-request-id"] = request_id
            self._send(refusal, head_only=False)
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=unquote(split.path) or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            request_id=request_id,
            base_url=self._base_url(),
        )
        response = pipeline.handle(self.server.state, request)
        self._send(response, head_only=self.command == "HEAD")

    # BaseHTTPRequestHandler dispatches on do_<METHOD>; every method takes the same path, so a
    # method a route does not take is the gateway's 405 with `Allow`, never http.server's 501.
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve  # noqa: N815
    do_TRACE = do_QUERY = _serve  # noqa: N815

    def _base_url(self) -> str:
        configured = self.server.state.config.public_url
        if configured:
            return configured
        host = self.headers.get("Host")
        if host:
            return f"http://{host}"
        name, port = self.server.server_address[:2]
        return f"http://{name!s}:{port}"

    def _read_body(self) -> bytes | None:
        """The request body (None when it is too large to read; ValueError when malformed)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, response: Response, head_only: bool) -> None:
        if response.connection:
            self._drop(reset=response.connection == "reset")
            return
        if response.truncate_at is not None:
            self.close_connection = True
        lines = [f"HTTP/1.1 {response.status} {reason(response.status)}"]
        headers = {
            "Date": self.date_time_string(),
            "Server": self.server_version,
            **response.headers,
            "Content-Length": str(response.length),
        }
        if self.close_connection:
            headers["Connection"] = "close"
        lines += [f"{name}: {value}" for name, value in headers.items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            if head_only:
                self.wfile.write(head)
            elif response.stream is not None:
                self.wfile.write(head)
                for chunk in response.stream:
                    self.wfile.write(chunk)
            elif response.truncate_at is not None:
                self.wfile.write(head + response.body[: response.truncate_at])
            else:
                self.wfile.write(head + response.body)
        except OSError:
            self.close_connection = True  # the client gave up (e.g. its timeout passed)
        self.log_request(response.status, response.length)

    def _drop(self, reset: bool) -> None:
        """Hang up without answering: an RST (``reset``) or an orderly FIN (empty reply)."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.server.track(self.connection, False)
            self.rfile.close()
            self.wfile.close()
            self.connection.close()
        else:
            self.connection.shutdown(socket.SHUT_RDWR)
