"""Fault-suite fixtures: a PostgreSQL server of the test's own, which it may stop and start."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.production.conftest import free_port


def postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(f"{candidate}/initdb", os.X_OK):
            return Path(candidate)
    return None


@dataclass
class PostgresServer:
    bin: Path
    data: Path
    port: int
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, result.stdout + result.stderr + self.log()

    def log(self) -> str:
        path = self.data.parent / "postgres.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data.parent} -F -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.data.parent / "postgres.log"), "-w", "-t", "60", "-o", options, "start")

    def stop(self) -> None:
        # "fast": what a restart by the operator does; every client connection is cut.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; scripts/test-all.sh does it)")
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "postgres" if shutil.which("runuser") and _user_exists("postgres") else None
        if user is None:
            pytest.skip("running as root without a postgres user to run PostgreSQL as")
    # Not under pytest's tmp_path: its parents are private to the current user, and PostgreSQL runs as another.
    directory = Path(tempfile.mkdtemp(prefix="engagement-fault-pg-"))
    if user:
        shutil.chown(directory, user)
    server = PostgresServer(binaries, directory / "data", free_port(), user)
    try:
        server._run("initdb", "-D", str(server.data), "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync")
        server.start()
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            server._run("pg_ctl", "-D", str(server.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(directory, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
