"""One scoring process per machine: the toxicity model loaded once, batching the texts of every web worker.

    python -m engagement.moderation.scoring_server [--instance DIR] [--socket PATH]

reads the settings as the app does (ENGAGEMENT_* variables, engagement.config), loads the configured model
with load_scorer, then answers RemoteScorer's frames (engagement.moderation.remote_scorer) on a Unix socket.
gunicorn.conf.py starts it, waits for it, restarts it if it dies and stops it (ScoringProcess below).

Batches: one thread scores; a batch is the oldest request plus whatever else has arrived, up to
MODERATION_MAX_BATCH texts. It waits up to MODERATION_BATCH_WAIT_MS for more only while another client that
asked within the last second said it had more texts coming (a worker sends how many requests it is serving
beyond its batch; a client that does not say is assumed to have more), so one post at a time never waits,
and busy workers share batches instead of taking turns.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from engagement.moderation.batching import BatchingScorer, ScoringJob
from engagement.moderation.remote_scorer import RemoteScorer, recv_frame, send_frame, socket_path

logger = logging.getLogger(__name__)

# A client that asked within this many seconds is one a batch may wait for.
ACTIVE_WINDOW_S = 1.0


class CrossClientBatcher(BatchingScorer):
    """The inline batcher, fed by every connection: it waits for company only while another client said, within
    ACTIVE_WINDOW_S, that it has more requests in flight."""

    def __init__(self, scorer: Any, max_batch: int = 32, max_wait_s: float = 0.005):
        super().__init__(scorer, max_wait_s=max_wait_s, max_batch=max_batch)
        self._last_seen: dict[int, tuple[float, int]] = {}

    def identity(self) -> dict[str, Any]:
        return {
            "name": self.scorer.name,
            "version": self.scorer.version,
            "labels": list(self.scorer.labels),
            "runtime": getattr(self.scorer, "runtime", "detoxify"),
            "recommended_thresholds": dict(getattr(self.scorer, "recommended_thresholds", {}) or {}),
        }

    def submit_from(self, client: int, texts: list[str], more: int = 1) -> Future[list[dict[str, float]]]:
        self._last_seen[client] = (time.monotonic(), more)
        return self.submit(ScoringJob(texts, client))

    def forget(self, client: int) -> None:
        self._last_seen.pop(client, None)

    def company_expected(self, batch: list[ScoringJob]) -> bool:
        inside = {job.client for job in batch}
        since = time.monotonic() - ACTIVE_WINDOW_S
        return any(
            seen >= since and more > 0 and client not in inside for client, (seen, more) in list(self._last_seen.items())
        )


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        batcher = self.server.batcher
        client = id(self)
        try:
            while True:
                request = recv_frame(self.request)
                if request is None:
                    return
                reply: dict[str, Any] = {"id": request.get("id"), "model": batcher.identity()}
                op = request.get("op")
                if op == "score" and isinstance(request.get("texts"), list):
                    try:
                        texts = [str(text) for text in request["texts"]]
                        reply["scores"] = batcher.submit_from(client, texts, int(request.get("more", 1))).result()
                    except Exception as error:
                        reply["error"] = f"{type(error).__name__}: {error}"
                elif op == "info":
                    reply["stats"] = {"batches": batcher.batches_scored, "texts": batcher.texts_scored}
                else:
                    reply["error"] = f"unknown request {op!r}"
                send_frame(self.request, reply)
        except (OSError, ValueError) as error:
            logger.info("scoring client disconnected: %s", error)
        finally:
            batcher.forget(client)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: Path, batcher: CrossClientBatcher):
        self.batcher = batcher
        super().__init__(str(path), _Handler)


def default_instance_path() -> str:
    """The instance folder create_app uses (Flask's rule for the engagement package)."""
    from flask import Flask

    return Flask("engagement").instance_path


def serve(settings: Mapping[str, Any], instance_path: str | Path, path: Path, stop: threading.Event) -> None:
    """Load the model, listen on ``path`` until ``stop`` is set, then remove the socket."""
    from engagement.moderation.scoring import load_scorer

    if path.exists() or path.is_symlink():
        if RemoteScorer(path).ping():
            raise SystemExit(f"a scoring process already answers at {path}")
        path.unlink()  # left by a process that died
    scorer = load_scorer(settings, instance_path)
    batcher = CrossClientBatcher(
        scorer, int(settings.get("MODERATION_MAX_BATCH", 32)), float(settings.get("MODERATION_BATCH_WAIT_MS", 5)) / 1000
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    server = _Server(path, batcher)
    threading.Thread(target=server.serve_forever, args=(0.2,), name="scoring-server", daemon=True).start()
    logger.info("scoring process %d serves %s %s at %s", os.getpid(), scorer.name, scorer.version, path)
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", help="the instance folder (default: the one create_app uses)")
    parser.add_argument("--socket", help="the socket path (default: ENGAGEMENT_MODERATION_SCORER_SOCKET or <instance>/scorer.sock)")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone (gunicorn's master)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scoring[%(process)d] %(levelname)s %(message)s")

    from engagement.config import load_settings

    settings = load_settings()
    instance = args.instance or default_instance_path()
    path = Path(args.socket) if args.socket else socket_path(settings, instance)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.parent_pid:
        # A master killed with SIGKILL cannot stop us: a scorer it left behind would hold the socket.
        def watch_parent() -> None:
            while not stop.wait(1.0):
                if os.getppid() != args.parent_pid:
                    logger.warning("the parent process %d is gone; stopping", args.parent_pid)
                    stop.set()

        threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    serve(settings, instance, path, stop)


class ScoringProcess:
    """The scoring process as gunicorn's master runs it: started before the workers, restarted when it
    dies (backing off up to 30 s between tries), stopped on exit."""

    def __init__(self, path: Path, instance_path: str | Path, start_timeout: float = 120.0):
        self.path = path
        self.instance_path = str(instance_path)
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ScoringProcess:
        instance = default_instance_path()
        return cls(socket_path(settings, instance), instance, float(settings.get("MODERATION_SCORER_WAIT", 60)) * 2)

    def start(self) -> None:
        """Spawn the process and wait until its socket answers; RuntimeError when it exits or is too slow."""
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        command = [
            sys.executable, "-m", "engagement.moderation.scoring_server",
            "--instance", self.instance_path, "--socket", str(self.path), "--parent-pid", str(os.getpid()),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env)
        probe = RemoteScorer(self.path)
        deadline = time.monotonic() + self.start_timeout
        while not probe.ping():
            if self.process.poll() is not None:
                raise RuntimeError(f"the scoring process exited with {self.process.returncode} before answering at {self.path}")
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"the scoring process did not answer at {self.path} within {self.start_timeout:.0f}s")
            time.sleep(0.1)

    def supervise(self, interval: float = 1.0) -> threading.Thread:
        def run() -> None:
            failures = 0
            while not self._stopping.wait(interval):
                if self.process is None or self.process.poll() is None:
                    continue
                logger.error("the scoring process exited (%s); restarting it", self.process.returncode)
                if self._stopping.wait(min(30.0, 2.0**failures - 1)):
                    return
                try:
                    self.start()
                    failures = 0
                except Exception:
                    failures += 1
                    logger.exception("the scoring process failed to start again")

        thread = threading.Thread(target=run, name="scoring-supervisor", daemon=True)
        thread.start()
        return thread

    def stop(self, grace: float = 10.0) -> None:
        self._stopping.set()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=grace)


if __name__ == "__main__":
    main()
