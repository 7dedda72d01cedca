"""The machine's scoring process: a real scoring_server child loading the real embedded ONNX model, served to
several clients at once over its Unix socket, and the app holding text while it is gone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engagement.moderation.normalize import normalize_for_scoring
from engagement.moderation.remote_scorer import RemoteScorer, ScorerUnavailable
from engagement.moderation.scoring import load_scorer
from engagement.moderation.scoring_server import ScoringProcess
from tests.moderation.test_onnx_runtime import INSTANCE, REPOSITORY, TEXTS
from tests.production.conftest import require_embedded_model

# A short path: a Unix socket's path is limited to about 100 bytes, pytest's tmp_path can be long.
SOCKET_DIR_PREFIX = "/tmp/engagement-scorer-"


@pytest.fixture(scope="module")
def socket_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix=SOCKET_DIR_PREFIX) as directory:
        yield Path(directory) / "scorer.sock"


@pytest.fixture(scope="module")
def scoring_process(socket_file: Path) -> Iterator[ScoringProcess]:
    require_embedded_model()
    process = ScoringProcess(socket_file, INSTANCE, start_timeout=300)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _stats(path: Path) -> dict[str, int]:
    scorer = RemoteScorer(path)
    try:
        return scorer._call({"op": "info"})["stats"]
    finally:
        scorer.close()


def test_two_clients_get_the_in_process_scores_in_shared_batches(scoring_process: ScoringProcess) -> None:
    inline = load_scorer({"MODERATION_RUNTIME": "onnx"}, INSTANCE)
    texts = [normalize_for_scoring(text) or text for text in TEXTS]
    expected = {text: scores for text, scores in zip(texts, inline.score(texts), strict=True)}
    alone = {text: inline.score([text])[0] for text in texts}
    before = _stats(scoring_process.path)
    rounds = 3
    answers: dict[int, list[tuple[str, dict[str, float]]]] = {0: [], 1: []}
    errors: list[BaseException] = []

    def client(number: int) -> None:
        scorer = RemoteScorer(scoring_process.path, timeout=60)
        try:
            for _ in range(rounds):
                for text in texts:
                    answers[number].append((text, scorer.score([text])[0]))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            scorer.close()

    threads = [threading.Thread(target=client, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    after = _stats(scoring_process.path)

    requests = 2 * rounds * len(texts)
    assert sum(len(found) for found in answers.values()) == requests
    for text, scores in answers[0] + answers[1]:
        # The same runtime and model: a text's scores are the in-process scorer's, whichever batch it shared
        # (padding to a longer neighbour may move the sixth decimal, as it does in process).
        assert scores.keys() == expected[text].keys()
        assert scores in (expected[text], alone[text]) or all(
            abs(scores[label] - alone[label]) <= 2e-6 for label in scores
        ), (text, scores, alone[text])
    assert after["texts"] - before["texts"] == requests
    batches = after["batches"] - before["batches"]
    print(f"\n{requests} requests from 2 clients scored in {batches} batches")
    assert batches < requests  # the clients' texts shared batches


def test_the_scorer_answers_the_models_identity(scoring_process: ScoringProcess) -> None:
    inline = load_scorer({"MODERATION_RUNTIME": "onnx"}, INSTANCE)
    remote = RemoteScorer(scoring_process.path)
    try:
        remote.info()
        assert (remote.name, remote.version, remote.labels, remote.runtime) == (
            inline.name,
            inline.version,
            inline.labels,
            inline.runtime,
        )
        assert remote.recommended_thresholds == inline.recommended_thresholds
    finally:
        remote.close()


def test_a_web_worker_in_process_mode_imports_no_model_runtime(scoring_process: ScoringProcess, tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from engagement import create_app
        app = create_app()
        moderator = app.extensions["engagement"]
        with app.app_context():
            result = moderator.moderate("You are a stupid idiot.")
        heavy = sorted(m for m in ("onnxruntime", "tokenizers", "torch", "transformers", "detoxify") if m in sys.modules)
        print(json.dumps({"heavy": heavy, "status": str(result.status), "model": result.model,
                          "toxicity": (result.scores or {}).get("toxicity")}))
        """
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("ENGAGEMENT_")}
    env.update(
        {
            "PYTHONPATH": str(REPOSITORY),
            "ENGAGEMENT_JWT_SECRET": "x" * 40,
            "ENGAGEMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
            "ENGAGEMENT_RATELIMIT_STORAGE_URI": "memory://",
            "ENGAGEMENT_MODERATION_SCORING": "process",
            "ENGAGEMENT_MODERATION_SCORER_SOCKET": str(scoring_process.path),
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["heavy"] == []
    assert found["model"] == "embedded-minilm" and found["toxicity"] > 0.9
    assert found["status"] != "ModerationStatus.PUBLISHED"


@pytest.fixture
def app_config(scoring_process: ScoringProcess) -> dict[str, object]:
    # No fake scorer: this app scores through the real scoring process.
    return {
        "MODERATION_SCORER": None,
        "MODERATION_SCORING": "process",
        "MODERATION_SCORER_SOCKET": str(scoring_process.path),
        "MODERATION_SCORER_TIMEOUT": 10.0,
    }


def test_a_dead_scoring_process_holds_the_post_and_a_restarted_one_scores_again(
    client, auth, make_article, scoring_process: ScoringProcess
) -> None:
    url = f"/api/v1/articles/{make_article()['id']}/comments"
    fine = client.post(url, json={"body": "Thanks for sharing, a helpful article."}, headers=auth("alice"))
    assert fine.status_code == 201 and fine.get_json()["status"] == "published"
    assert client.get("/readyz").get_json()["checks"]["moderation_model"] == "ok"

    assert scoring_process.process is not None
    scoring_process.process.send_signal(signal.SIGKILL)
    scoring_process.process.wait(timeout=10)
    held = client.post(url, json={"body": "Another perfectly civil remark here."}, headers=auth("bob"))
    assert held.status_code == 201 and held.get_json()["status"] == "pending_review"
    own = client.get(f"/api/v1/comments/{held.get_json()['id']}", headers=auth("bob")).get_json()
    assert own["moderation"]["reason"] == "model_error"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["moderation_model"].startswith("degraded")

    scoring_process.start()
    again = client.post(url, json={"body": "A third civil remark, thank you."}, headers=auth("carol"))
    assert again.status_code == 201 and again.get_json()["status"] == "published"
    assert client.get("/readyz").get_json()["status"] == "ready"


def test_nothing_listening_raises_scorer_unavailable(tmp_path: Path) -> None:
    scorer = RemoteScorer(tmp_path / "nobody.sock")
    assert not scorer.ping()
    with pytest.raises(ScorerUnavailable):
        scorer.score(["hello"])
    with pytest.raises(ScorerUnavailable, match="within 0s"):
        scorer.wait_until_ready(0)


def test_a_forked_child_scores_on_its_own_connection(scoring_process: ScoringProcess) -> None:
    """gunicorn forks its workers: a child must not read or write the parent's connection."""
    scorer = RemoteScorer(scoring_process.path)
    try:
        expected = scorer.score(["You are a stupid idiot."])
        pid = os.fork()
        if pid == 0:  # the child: only os._exit, never pytest's teardown
            try:
                ok = scorer.score(["You are a stupid idiot."]) == expected and scorer.score(["ok"])[0]["toxicity"] < 0.5
            except BaseException:
                ok = False
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert scorer.score(["You are a stupid idiot."]) == expected  # the parent's connection still works
    finally:
        scorer.close()
