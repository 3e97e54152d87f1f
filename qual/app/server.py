"""Serving the workspace: uvicorn on a socket bound to 127.0.0.1, and nowhere else.

The socket is bound here, before uvicorn sees it, so the address cannot be widened by a
configuration default; the port is the one asked for, else ``DEFAULT_PORT`` when free, else
any free port. The access log is off (a request line carries query strings: search words,
the token), and uvicorn's own loggers stay at warnings.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from typing import Any

from ..errors import QualError
from .project import Project
from .web import create_app

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765


def bind_loopback(port: int | None) -> socket.socket:
    """A listening TCP socket on 127.0.0.1: ``port``, else DEFAULT_PORT or any free port."""
    candidates = [port] if port is not None else [DEFAULT_PORT, 0]
    for candidate in candidates:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: uvicorn writes a response's head and body apart,
        # and with Nagle on, the body waits for the client's delayed ACK (~40 ms a request).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((LOOPBACK, candidate))
        except OSError as error:
            sock.close()
            if port is not None:
                reason = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error.strerror})"
                raise QualError(f"port {port} {reason}; give another --port, or leave it out to pick a free one") \
                    from None
            continue
        sock.listen(128)
        sock.setblocking(False)
        return sock
    raise QualError("no free port on 127.0.0.1")  # pragma: no cover - port 0 always binds


class WorkspaceServer:
    """The workspace of ``project`` served on 127.0.0.1; ``run()`` blocks, ``start()``/``stop()``
    run it in a thread (tests, benchmarks)."""

    def __init__(self, project: Project, port: int | None = None, *, token: str | None = None,
                 suggest_options: dict[str, Any] | None = None) -> None:
        import uvicorn

        self.project = project
        self.socket = bind_loopback(port)
        self.port = self.socket.getsockname()[1]
        self.app = create_app(project, token=token, port=self.port, suggest_options=suggest_options)
        config = uvicorn.Config(self.app, log_config=None, log_level="warning", access_log=False, lifespan="off",
                                proxy_headers=False, server_header=False, date_header=False,
                                timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).setLevel(logging.WARNING)

    @property
    def address(self) -> tuple[str, int]:
        return self.socket.getsockname()

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def url(self) -> str:
        """The address to open: it carries the access token."""
        return f"{self.base_url}/?token={self.app.token}"

    @property
    def jobs(self):
        return self.app.state.jobs

    def run(self) -> None:
        self.server.run(sockets=[self.socket])

    def start(self, timeout: float = 20.0) -> "WorkspaceServer":
        self.thread = threading.Thread(target=self.run, name="qual-app-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise QualError("the workspace server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)
        self.socket.close()
