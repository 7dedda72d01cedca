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
import queue
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engagement.moderation.remote_scorer import RemoteScorer, recv_frame, send_frame, socket_path

logger = logging.getLogger(__name__)

# A client that asked within this many seconds is one a batch may wait for.
ACTIVE_WINDOW_S = 1.0


@dataclass
class _Job:
    client: int
    texts: list[str]
    future: Future[list[dict[str, float]]] = field(default_factory=Future)


class CrossClientBatcher:
    """Gathers the requests of all connections into model batches, scored by one thread."""

    def __init__(self, scorer: Any, max_batch: int = 32, max_wait_s: float = 0.005):
        self.scorer = scorer
        self.max_batch = max(1, max_batch)
        self.max_wait_s = max(0.0, max_wait_s)
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._carry: _Job | None = None
        self._last_seen: dict[int, tuple[float, int]] = {}
        self.batches_scored = 0
        self.texts_scored = 0
        threading.Thread(target=self._run, name="scoring-batcher", daemon=True).start()

    def identity(self) -> dict[str, Any]:
        return {
            "name": self.scorer.name,
            "version": self.scorer.version,
            "labels": list(self.scorer.labels),
            "runtime": getattr(self.scorer, "runtime", "detoxify"),
            "recommended_thresholds": dict(getattr(self.scorer, "recommended_thresholds", {}) or {}),
        }

    def submit(self, client: int, texts: list[str], more: int = 1) -> Future[list[dict[str, float]]]:
        self._last_seen[client] = (time.monotonic(), more)
        job = _Job(client, texts)
        self._queue.put(job)
        return job.future

    def forget(self, client: int) -> None:
        self._last_seen.pop(client, None)

    def _others_active(self, batch: list[_Job]) -> bool:
        inside = {job.client for job in batch}
        since = time.monotonic() - ACTIVE_WINDOW_S
        return any(
            seen >= since and more > 0 and client not in inside for client, (seen, more) in list(self._last_seen.items())
        )

    def _next(self, timeout: float | None) -> _Job | None:
        if self._carry is not None:
            job, self._carry = self._carry, None
            return job
        try:
            return self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None

    def _run(self) -> None:
        while True:
            first = self._next(None)
            assert first is not None
            batch, count = [first], len(first.texts)
            deadline = time.monotonic() + self.max_wait_s
            while count < self.max_batch:
                job = self._next(0)
                if job is None and self._others_active(batch):
                    job = self._next(deadline - time.monotonic())
                if job is None:
                    break
                if count + len(job.texts) > self.max_batch:
                    self._carry = job  # first in the next batch
                    break
                batch.append(job)
                count += len(job.texts)
            self._score(batch)

    def _score(self, batch: list[_Job]) -> None:
        texts = [text for job in batch for text in job.texts]
        try:
            results = self.scorer.score(texts)
        except Exception as error:  # each caller gets the error; the client holds its texts
            logger.exception("moderation model failed on a batch of %d", len(texts))
            for job in batch:
                job.future.set_exception(error)
            return
        self.batches_scored += 1
        self.texts_scored += len(texts)
        start = 0
        for job in batch:
            job.future.set_result(results[start : start + len(job.texts)])
            start += len(job.texts)


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
                        reply["scores"] = batcher.submit(client, texts, int(request.get("more", 1))).result()
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
