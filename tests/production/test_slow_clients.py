"""Slow clients against the production recipe: nginx with deploy/nginx/engagement.conf in front of gunicorn.

gunicorn's gthread workers give a connection a thread from its first byte until the request is read, so 20
clients sending their headers a byte at a time hold all 2 x 4 threads (shown below against gunicorn directly).
Through nginx the same clients, and clients whose body stops short of its Content-Length, cost no thread:
normal reads keep being answered, and nginx drops the stalled bodies after client_body_timeout.
Everything targets 127.0.0.1, with a bounded number of connections for a bounded time.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.production.conftest import REPO_ROOT, free_port, gunicorn_server, migrate_sqlite, stop_process, wait_until

SLOW_CLIENTS = 20
CONTROL_SLOW_CLIENTS = 50  # the figure; spread over 2 workers by the race for accept()
SHORT_BODIES = 5
ATTACK_SECONDS = 8.0
PROMPT = 1.0  # seconds: a normal read answered later than this counts as starved
NGINX_BODY_TIMEOUT = 10.0  # client_body_timeout in deploy/nginx/engagement.conf


def nginx_binary() -> str | None:
    for directory in (None, "/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"):
        found = shutil.which("nginx", path=directory)
        if found:
            return found
    return None


@contextmanager
def nginx_proxy(directory: Path, upstream_port: int) -> Iterator[int]:
    """nginx in the foreground with the repository's server snippet, proxying to gunicorn; yields its port."""
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light; scripts/test-all.sh does it)")
    port = free_port()
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / name).mkdir(exist_ok=True)
    temp_paths = "\n".join(f"    {name}_temp_path {directory / name};" for name in ("proxy", "fastcgi", "uwsgi", "scgi"))
    config = directory / "nginx.conf"
    config.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "nginx-error.log"} info;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {directory / "body"};
{temp_paths}
    upstream engagement {{ server 127.0.0.1:{upstream_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        include {REPO_ROOT / "deploy" / "nginx" / "engagement.conf"};
    }}
}}
"""
    )
    log = (directory / "nginx.out").open("wb")
    process = subprocess.Popen([binary, "-c", str(config), "-p", str(directory)], stdout=log, stderr=subprocess.STDOUT)
    try:

        def listening() -> bool:
            assert process.poll() is None, (directory / "nginx.out").read_text() + (directory / "nginx-error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                return False
            return True

        wait_until(listening, timeout=15, message="nginx to listen")
        yield port
    finally:
        stop_process(process)
        log.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("slow-clients")
    settings = {
        "ENGAGEMENT_DATABASE_URL": migrate_sqlite(directory / "engagement.db", directory),
        "ENGAGEMENT_TRUSTED_PROXIES": "127.0.0.1/32",
        "ENGAGEMENT_RATELIMIT_STORAGE_URI": f"sqlite:///{directory / 'ratelimits.sqlite3'}",
    }
    # The production defaults: 2 workers x 4 threads.
    with gunicorn_server(directory, settings, workers=2, threads=4) as server:
        created = server.request(
            "PUT", "/api/v1/articles/slow", {"title": "T", "url": "https://x.example/s", "author_id": "author-1"}, "root", "admin"
        )
        assert created.status == 201, created.body
        with nginx_proxy(directory, server.port) as proxy_port:
            yield server, proxy_port


class Attack:
    """SLOW_CLIENTS connections sending a request header one byte every half second, and SHORT_BODIES
    connections whose body stops short of its Content-Length; closed by ``stop``."""

    HEADER = b"GET /api/v1/articles/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nX-Padding: " + b"a" * 200

    def __init__(self, port: int, short_bodies: int, clients: int = SLOW_CLIENTS) -> None:
        self.slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(clients)]
        self.short = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(short_bodies)]
        self.started = time.monotonic()
        for connection in self.short:
            connection.sendall(
                b"POST /api/v1/articles/slow/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n" + b'{"body": "'
            )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)
        self._thread.start()

    def _drip(self) -> None:
        position = 0
        while not self._stop.is_set() and position < len(self.HEADER):
            for connection in self.slow:
                try:
                    connection.send(self.HEADER[position : position + 1])
                except OSError:
                    pass  # the server gave up on this one: fine
            position += 1
            self._stop.wait(0.5)

    def short_bodies_closed_after(self, limit: float) -> list[float]:
        """Seconds after the attack began at which the server ended each short-body connection."""
        ended = []
        for connection in self.short:
            connection.settimeout(max(0.1, self.started + limit - time.monotonic()))
            try:
                while connection.recv(4096):  # a 408 (or nothing), then end of stream
                    pass
            except ConnectionResetError:
                pass  # reset_timedout_connection: nginx drops it with a RST
            except TimeoutError:
                continue  # still open at the limit
            ended.append(time.monotonic() - self.started)
        return ended

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self.slow + self.short:
            connection.close()


def normal_reads(port: int, seconds: float) -> list[float | None]:
    """One plain read every 0.2 s for ``seconds``: each one's latency, or None when it got no answer in time."""
    latencies: list[float | None] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        began = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2 * PROMPT)
        try:
            connection.request("GET", "/api/v1/articles/slow")
            response = connection.getresponse()
            response.read()
            latencies.append(time.monotonic() - began if response.status == 200 else None)
        except OSError:
            latencies.append(None)
        finally:
            connection.close()
        time.sleep(max(0.0, 0.2 - (time.monotonic() - began)))
    return latencies


def test_slow_clients_do_not_starve_reads_through_nginx(stack):
    server, proxy_port = stack
    attack = Attack(proxy_port, SHORT_BODIES)
    try:
        latencies = normal_reads(proxy_port, ATTACK_SECONDS)
        closed = attack.short_bodies_closed_after(NGINX_BODY_TIMEOUT + 5)
    finally:
        attack.stop()
    answered = [latency for latency in latencies if latency is not None]
    print(
        f"\nthrough nginx, {SLOW_CLIENTS} slow-header + {SHORT_BODIES} short-body clients for {ATTACK_SECONDS:.0f} s: "
        f"{len(answered)}/{len(latencies)} reads answered, median {statistics.median(answered) * 1000:.1f} ms, "
        f"max {max(answered) * 1000:.1f} ms; short bodies closed after {[round(t, 1) for t in closed]} s"
    )
    assert len(latencies) >= 20
    assert len(answered) == len(latencies), latencies
    assert max(answered) < PROMPT, latencies
    # nginx, not a gunicorn thread, waited on the missing bytes, and gave up after client_body_timeout.
    assert len(closed) == SHORT_BODIES and all(t < NGINX_BODY_TIMEOUT + 5 for t in closed), closed
    assert "POST /api/v1/articles/slow/comments" not in server.access_log_path.read_text()


def test_gunicorn_alone_is_starved_which_is_why_it_stays_on_loopback(stack):
    """The control: the same slow clients straight at gunicorn (what `make run` exposes) hold every thread."""
    server, _ = stack
    attack = Attack(server.port, 0, clients=CONTROL_SLOW_CLIENTS)
    try:
        time.sleep(1.0)  # every slow client has sent a first byte, so each holds a thread
        latencies = normal_reads(server.port, 3.0)
    finally:
        attack.stop()
    answered = sum(x is not None for x in latencies)
    print(f"\ngunicorn alone, {CONTROL_SLOW_CLIENTS} slow-header clients: {answered}/{len(latencies)} reads answered")
    # Which worker accepts each connection is a race: one that took fewer than 4 slow clients still has a free
    # thread. A read that reaches a worker whose threads are all held is never answered, and that is the point.
    assert answered < len(latencies), latencies
    # Once they are gone it serves again.
    wait_until(lambda: normal_reads(server.port, 0.1)[0] is not None, timeout=10, message="gunicorn to serve again")
