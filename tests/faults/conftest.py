"""Faults made real for the fault tests (issue 13, "Faults"): a Redis server and a TCP proxy
that a test stops and starts again, and apps from the factory pointed at them.

No mocks: the app talks to a real ``redis-server`` on a port of its own, and to a real
database through a real TCP connection that the test can cut.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from app import create_app
from community.core.extensions import db
from tests.conftest import BruggenClient
from tests.forums.conftest import make_forum, make_thread  # noqa: F401 - fixtures used here

READY_WITHIN = 30  # seconds a server gets to start; a start that takes longer fails the test


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], *, within: float, what: str) -> None:
    """Poll ``condition`` until it is true; fail with ``what`` after ``within`` seconds.

    A wait for something that happens in the background (a server that starts), not a
    measurement: ``within`` is generous and no test asserts how long it took.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {within} s: {what}")
        time.sleep(0.05)


class RedisServer:
    """A private ``redis-server`` on a free port, without persistence; stop and start it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server must be installed (the fault tests run a private one)"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, within=READY_WITHIN, what=f"redis-server on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=READY_WITHIN)
            self.process = None
        assert not self._answers()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A private Redis server, running; stopped at the end of the test."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``target``; :meth:`stop` cuts every connection and
    refuses new ones (as a database server that went away), :meth:`start` serves again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            connections, self.connections = self.connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:  # stopped meanwhile
                    client.close()
                    upstream.close()
                    return
                self.connections.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def make_app(app, smtp_server, tmp_path) -> Iterator[Callable[..., Flask]]:
    """Return a callable making another app from the factory (another process, in
    production) with the test settings of ``app`` and the ``overrides``.

    ``app`` (tests/conftest.py) made the schema and empties the tables afterwards; the
    factories (``make_user``...) write through it. Each app made here gets its own
    engine, disposed at the end.
    """
    made: list[Flask] = []
    _, port = smtp_server

    def _make(**overrides) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USE_TLS": False,
            "BRUGGEN_BASE_URL": "http://bruggen.test",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SERVER_NAME": None,
        }
        config.update(overrides)
        other = create_app(config)
        other.test_client_class = BruggenClient
        made.append(other)
        return other

    yield _make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def pytest_collection_modifyitems(config, items) -> None:
    """Every test here runs other apps, threads or servers that read its data: real commits."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.real_commits)
