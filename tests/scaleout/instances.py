"""Real app processes for the tests: gunicorn instances on 127.0.0.1 and a browser to reach them.

An instance is what production runs (``gunicorn -w 2 'app:create_app()'``),
configured through its environment; a test may add a ``test_config`` dict,
which gunicorn passes to the factory as a literal. The :class:`Browser` stands
where a visitor's browser behind the TLS-ending reverse proxy stands: it sends
the proxy's headers and keeps the site's cookies, whichever instance set them.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from gunicorn import config as gunicorn_config

ROOT = Path(__file__).resolve().parents[2]
# The local Redis of the tests (db 7); keys carry a prefix unique to each test run.
REDIS_URL = "redis://127.0.0.1:6379/7"
# The public address the proxy serves; instances see it in Host and X-Forwarded-*.
PUBLIC_HOST = "bruggen.test"
PUBLIC_URL = f"https://{PUBLIC_HOST}"
# Seconds an instance may take to answer its first request.
START_TIMEOUT = 30
_HAS_CONTROL_SOCKET = any(
    s.name == "control_socket_disable" for s in gunicorn_config.KNOWN_SETTINGS
)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    """One gunicorn master (with its workers) on ``port``; its output goes to ``log``."""

    port: int
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        """Return the last ``lines`` lines of the instance's log (for failure messages)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def stop_instances(instances: list[Instance]) -> None:
    """Stop every instance at once (SIGINT: gunicorn's quick shutdown); kill what lingers 10 s.

    Tests stop instances when no request is in flight: nothing to finish gracefully.
    """
    running = [i for i in instances if i.process.poll() is None]
    for instance in running:
        instance.process.send_signal(signal.SIGINT)
    for instance in running:
        try:
            instance.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait(timeout=10)


def start_instances(
    count: int,
    logs: Path,
    *,
    env: dict[str, str],
    test_config: dict | None = None,
    workers: int = 2,
) -> list[Instance]:
    """Start ``count`` gunicorn instances of ``app:create_app`` and return them once they answer.

    ``env`` is the instances' whole environment besides PATH and HOME (nothing
    leaks in from the test run's own environment). ``test_config`` (str, int,
    bool values) goes to ``create_app``. Each instance writes its log to
    ``logs/instance-<port>.log``. Raises ``AssertionError`` with the log when an
    instance exits or does not answer ``GET /`` within ``START_TIMEOUT`` seconds;
    the instances started so far are stopped then.
    """
    factory = f"app:create_app({test_config!r})" if test_config else "app:create_app()"
    options = ["-w", str(workers)]
    if _HAS_CONTROL_SOCKET:
        # Newer gunicorn releases open a control socket at ~/.gunicorn/gunicorn.ctl, one
        # path for every master of the user: instances would take it from each other.
        options.append("--no-control-socket")
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/")}
    environment.update(env)
    started: list[Instance] = []
    for _ in range(count):
        port = free_port()
        log = logs / f"instance-{port}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", *options, "-b", f"127.0.0.1:{port}", factory],
                cwd=ROOT,
                env=environment,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        started.append(Instance(port, process, log))
    try:
        for instance in started:
            _wait_until_answering(instance)
    except BaseException:
        stop_instances(started)
        raise
    return started


def _wait_until_answering(instance: Instance) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise AssertionError(f"instance on port {instance.port} exited:\n{instance.log_tail()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=5)
            connection.request("GET", "/", headers={"Host": PUBLIC_HOST})
            status = connection.getresponse().status
            connection.close()
        except OSError:
            time.sleep(0.1)
            continue
        if status == 200:
            return
        raise AssertionError(f"GET / answered {status}:\n{instance.log_tail()}")
    raise AssertionError(f"instance on port {instance.port} did not answer:\n{instance.log_tail()}")


# --- the browser --------------------------------------------------------------------------


@dataclass
class Response:
    """An HTTP response as received: status, headers and the whole body (bytes)."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """Encode ``fields`` and ``files`` (name → (file name, bytes, type)) as multipart/form-data.

    Returns ``(body bytes, Content-Type header value)``; RFC 7578.
    """
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + str(value).encode() + b"\r\n")
    for name, (file_name, data, content_type) in files.items():
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Browser:
    """One visitor at ``address``, reaching the instances as the reverse proxy passes requests on.

    Each request goes straight to one instance, with the headers of the README's
    nginx configuration (Host, X-Forwarded-For/-Proto/-Host: TLS ends at the
    proxy). Cookies belong to the site, not to an instance: the browser sends
    them to whichever instance it calls, Secure ones included (the visitor's
    side of the proxy is HTTPS). A POST carries a same-site Referer, as browsers
    send it with ``strict-origin-when-cross-origin``.
    """

    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        port: int,
        method: str,
        path: str,
        form: dict | None = None,
        files: dict | None = None,
    ) -> Response:
        """Send one request to the instance on ``port``; redirects are not followed."""
        headers = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": PUBLIC_HOST,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files:
            body, headers["Content-Type"] = multipart(form or {}, files)
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method != "GET":
            headers["Referer"] = PUBLIC_URL + path
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.msg, raw.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._keep(header)
        return response

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, port: int, path: str) -> Response:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict, files: dict | None = None) -> Response:
        return self.request(port, "POST", path, form=form, files=files)

    def form_token(self, port: int, path: str) -> str:
        """GET the page ``path`` and return the CSRF token of its first form."""
        page = self.get(port, path)
        match = CSRF_FIELD.search(page.text)
        assert page.status == 200 and match, f"no form on {path} ({page.status})"
        return match.group(1)

    def sign_in(self, port: int, email: str, password: str) -> Response:
        """Fill in the login form of the instance on ``port``; returns the POST's response."""
        token = self.form_token(port, "/aanmelden")
        form = {"email": email, "password": password, "csrf_token": token}
        return self.post(port, "/aanmelden", form)
