"""Real processes for production tests: redis-server and gunicorn serving wsgi:app on loopback ports.

Every wait is bounded in time, every process is stopped in a ``finally`` (or a fixture's teardown).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from engagement.auth import issue_token
from tests.conftest import TEST_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_SEARCH_PATH = (None, "/usr/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str | None:
    for directory in REDIS_SEARCH_PATH:
        found = shutil.which("redis-server", path=directory)
        if found:
            return found
    return None


def require_embedded_model() -> None:
    """The servers run the real default model; without its trained weights no worker can boot."""
    from engagement.moderation.embedded import EmbeddedModelMissing, read_model_meta

    try:
        read_model_meta()
    except EmbeddedModelMissing as error:
        # tests/moderation/test_embedded_model.py fails on the same cause, so the run still goes red.
        pytest.skip(f"the embedded moderation model is not trained: {error}")


def stop_process(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until(predicate, timeout: float, interval: float = 0.1, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen[Any] | None

    def kill(self) -> None:
        assert self.process is not None, "an external redis cannot be killed by the tests"
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """Our own redis-server (killable) when installed, else the one at ENGAGEMENT_TEST_REDIS_URL."""
    import redis

    binary = redis_server_binary()
    if binary is None:
        external = os.environ.get("ENGAGEMENT_TEST_REDIS_URL")
        if not external:
            pytest.skip("redis-server is not installed (apt-get install redis-server; scripts/test-all.sh does it)")
        yield RedisServer(external, None)
        return

    port = free_port()
    log = (directory / "redis.log").open("wb")
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(directory)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:

        def answers() -> bool:
            assert process.poll() is None, (directory / "redis.log").read_text()
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(answers, timeout=15, message="redis-server to answer PING")
        yield RedisServer(url, process)
    finally:
        client.close()
        stop_process(process)
        log.close()


def token(sub: str, role: str = "user") -> str:
    return issue_token(TEST_SECRET, sub, role)


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Server:
    """A running gunicorn; ``request`` opens a new connection each time, like separate clients."""

    port: int
    process: subprocess.Popen[Any]
    log_path: Path
    access_log_path: Path
    timeout: float = 30.0
    env: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        user: str | None = None,
        role: str = "user",
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        headers = {"Connection": "close", **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if user:
            headers["Authorization"] = f"Bearer {token(user, role)}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            content_type = response.getheader("Content-Type", "")
            parsed = json.loads(raw) if raw and content_type.startswith("application/json") else raw
            return HttpResult(response.status, {k.lower(): v for k, v in response.getheaders()}, parsed)
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def serving_pids(self, path: str | None = None) -> set[str]:
        """Worker pids that answered (``path`` only), from the access log written as ``pid method path status``."""
        pids = set()
        for line in self.access_log_path.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 4 and (path is None or parts[2] == path):
                pids.add(parts[0])
        return pids


@contextmanager
def gunicorn_server(directory: Path, settings: dict[str, str], workers: int = 2, threads: int = 4) -> Iterator[Server]:
    """gunicorn with gunicorn.conf.py serving the real app; yields once every worker has answered /readyz."""
    require_embedded_model()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ENGAGEMENT_", "PROMETHEUS_"))}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            "ENGAGEMENT_JWT_SECRET": TEST_SECRET,
            # gunicorn.conf.py starts a scoring process; its own socket, as two servers may run at once.
            "ENGAGEMENT_MODERATION_SCORER_SOCKET": str(directory / "scorer.sock"),
            **settings,
        }
    )
    log_path, access_log_path = directory / "gunicorn.log", directory / "access.log"
    access_log_path.touch()
    command = [
        sys.executable, "-m", "gunicorn", "--config", str(REPO_ROOT / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--graceful-timeout", "5", "--no-control-socket",  # the socket's default path is shared per user
        "--access-logfile", str(access_log_path), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
        "wsgi:app",
    ]  # fmt: skip
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(port, process, log_path, access_log_path, env=env)
    try:

        def every_worker_ready() -> bool:
            assert process.poll() is None, f"gunicorn exited with {process.returncode}:\n{server.log()[-4000:]}"
            try:
                server.request("GET", "/readyz")
            except OSError:
                return False
            # A worker accepts connections only once create_app (and so the model load) is done.
            return len(server.serving_pids("/readyz")) >= workers

        wait_until(every_worker_ready, timeout=120, interval=0.05, message=f"{workers} gunicorn workers to be ready")
        yield server
    finally:
        stop_process(process)
        log.close()


def migrate_sqlite(path: Path, directory: Path) -> str:
    """A SQLite file migrated with the real CLI, as the production recipe does it."""
    return migrate_database(f"sqlite:///{path}")


def migrate_database(url: str) -> str:
    """Any database migrated with the real CLI (`flask db upgrade`), as the production recipe does it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ENGAGEMENT_")}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            "ENGAGEMENT_DATABASE_URL": url,
            "ENGAGEMENT_JWT_SECRET": TEST_SECRET,
            # Migrations do not need the model.
            "ENGAGEMENT_MODERATION_LOAD": "lazy",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return url
