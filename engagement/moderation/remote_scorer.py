"""The client of the machine's scoring process (engagement.moderation.scoring_server): a Scorer over a Unix socket.

A web worker that scores through it imports no model runtime (onnxruntime, tokenizers, torch): the model is
loaded once per machine, in the scoring process, instead of once per worker.

Frames are a 4-byte big-endian length and a JSON object. A request is ``{"id", "op", ...}`` with op
``score`` (``texts``) or ``info``; every reply carries the model's identity (``model``) beside ``scores``
or ``error``, so a scoring process restarted with another model is noticed at its first answer.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SOCKET_FILENAME = "scorer.sock"
# Far above any real frame (MODERATION_MAX_BATCH texts of a few KB): a bigger length means a broken peer.
MAX_FRAME = 64 * 1024 * 1024
_HEADER = struct.Struct(">I")


class ScorerUnavailable(ConnectionError):
    """The scoring process does not answer (not started, restarting, or dead): the text is held, never lost."""


def socket_path(settings: Mapping[str, Any], instance_path: str | Path) -> Path:
    """``MODERATION_SCORER_SOCKET``, else ``scorer.sock`` in the instance folder."""
    configured = settings.get("MODERATION_SCORER_SOCKET") or ""
    return Path(configured).expanduser() if configured else Path(instance_path) / SOCKET_FILENAME


def send_frame(sock: socket.socket, message: Mapping[str, Any]) -> None:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    sock.sendall(_HEADER.pack(len(body)) + body)


def recv_frame(sock: socket.socket) -> dict[str, Any] | None:
    """The next frame, or None when the peer closed the connection between frames."""
    header = _recv_exactly(sock, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ConnectionError(f"frame of {length} bytes refused")
    body = _recv_exactly(sock, length)
    if body is None:
        raise ConnectionError("connection closed in the middle of a frame")
    return json.loads(body)


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            if chunks:
                raise ConnectionError("connection closed in the middle of a frame")
            return None
        chunks += chunk
    return bytes(chunks)


class RemoteScorer:
    """A Scorer whose model runs in the scoring process. ``score`` raises ScorerUnavailable when it cannot
    be reached, so the Moderator holds the texts.

    One connection per process, opened lazily and again after a fork (a socket shared by parent and child
    would interleave their frames); calls take turns on it. A connection that timed out or failed is
    closed, since a late reply on it would answer the next request.
    """

    def __init__(
        self,
        path: str | Path,
        timeout: float = 10.0,
        connect_timeout: float = 1.0,
        busy: Callable[[], int] | None = None,
    ):
        self.path = Path(path)
        # The requests this process is serving: sent with each batch, so the scoring process waits for
        # this worker's other texts only while it has some.
        self._busy = busy
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._closer: weakref.finalize | None = None
        self._owner_pid: int | None = None
        self._next_id = 0
        self.name = ""
        self.version = ""
        self.labels: tuple[str, ...] = ()
        self.runtime = ""
        self.recommended_thresholds: dict[str, float] = {}

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        request: dict[str, Any] = {"op": "score", "texts": list(texts)}
        if self._busy is not None:
            request["more"] = max(0, self._busy() - len(texts))
        reply = self._call(request)
        scores = reply["scores"]
        if len(scores) != len(texts):
            raise ScorerUnavailable(f"the scoring process answered {len(scores)} scores for {len(texts)} texts")
        return scores

    def info(self) -> dict[str, Any]:
        """The model's identity, as the scoring process reports it (and these attributes now hold)."""
        return self._call({"op": "info"})["model"]

    def ping(self, timeout: float = 1.0) -> bool:
        """Whether the scoring process answers now, on a connection of its own (a long batch on the shared
        one must not make /readyz wait)."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(str(self.path))
                send_frame(sock, {"id": 0, "op": "info"})
                reply = recv_frame(sock)
        except (OSError, ValueError):
            return False
        return reply is not None and "model" in reply

    def wait_until_ready(self, timeout: float) -> None:
        """Block until the scoring process answers (workers starting beside it); raise ScorerUnavailable
        naming the socket after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.info()
                return
            except ScorerUnavailable as error:
                if time.monotonic() >= deadline:
                    raise ScorerUnavailable(
                        f"no scoring process answered at {self.path} within {timeout:.0f}s ({error}); gunicorn starts"
                        " one (gunicorn.conf.py), or run `python -m engagement.moderation.scoring_server`"
                    ) from None
                time.sleep(0.1)

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            reused = self._sock is not None and self._owner_pid == os.getpid()
            try:
                reply = self._exchange(request)
            except (OSError, ValueError) as error:
                self._drop()
                # A connection kept from before the scoring process restarted fails at once: ask once more
                # on a new one (scoring is idempotent). A timeout is not retried: the caller waited enough.
                if not reused or isinstance(error, TimeoutError):
                    raise ScorerUnavailable(f"scoring process at {self.path}: {type(error).__name__}: {error}") from error
                try:
                    reply = self._exchange(request)
                except (OSError, ValueError) as again:
                    self._drop()
                    raise ScorerUnavailable(f"scoring process at {self.path}: {type(again).__name__}: {again}") from again
        self._adopt(reply.get("model") or {})
        if "error" in reply:
            raise ScorerUnavailable(f"the scoring process failed: {reply['error']}")
        return reply

    def _exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        sock = self._connected()
        self._next_id += 1
        request["id"] = self._next_id
        send_frame(sock, request)
        reply = recv_frame(sock)
        if reply is None or reply.get("id") != request["id"]:
            raise ConnectionError("the scoring process closed the connection or answered out of turn")
        return reply

    def _connected(self) -> socket.socket:
        if self._sock is not None and self._owner_pid == os.getpid():
            return self._sock
        if self._sock is not None:  # inherited through a fork: the parent's, never to be read here
            self._drop()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.connect_timeout)
            sock.connect(str(self.path))
            sock.settimeout(self.timeout)
        except OSError:
            sock.close()
            raise
        self._sock, self._owner_pid = sock, os.getpid()
        # Closed with the scorer too (an app dropped without closing its moderator), not left to the GC.
        self._closer = weakref.finalize(self, sock.close)
        return sock

    def _drop(self) -> None:
        # Closing a copy inherited through a fork closes this process's descriptor only: the parent's
        # connection stays up.
        if self._closer is not None:
            self._closer()
        self._sock, self._closer = None, None

    def _adopt(self, model: Mapping[str, Any]) -> None:
        if not model:
            return
        identity = (model["name"], model["version"], tuple(model["labels"]))
        if self.name and identity != (self.name, self.version, self.labels):
            logger.warning(
                "the scoring process now serves %s %s (was %s %s)", identity[0], identity[1], self.name, self.version
            )
        self.name, self.version, self.labels = identity
        self.runtime = model.get("runtime", "")
        self.recommended_thresholds = dict(model.get("recommended_thresholds") or {})


def connect_remote_scorer(
    settings: Mapping[str, Any], instance_path: str | Path, busy: Callable[[], int] | None = None
) -> RemoteScorer:
    """The scorer of a web worker in process mode: waits (bounded) for the scoring process to answer."""
    timeout = float(settings.get("MODERATION_SCORER_TIMEOUT", 10))
    scorer = RemoteScorer(socket_path(settings, instance_path), timeout=timeout, busy=busy)
    scorer.wait_until_ready(float(settings.get("MODERATION_SCORER_WAIT", 60)))
    logger.info("moderation model %s (%s, %s) served by the scoring process at %s", scorer.name, scorer.version, scorer.runtime, scorer.path)
    return scorer
