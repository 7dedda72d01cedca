"""A moderation model that raises or hangs: the text is stored and held for a moderator within a bounded time,
the request answers, and reads go on being answered meanwhile."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import FakeKeywordScorer

SCORE_TIMEOUT = 30.0  # engagement.moderation.batching: how long a request waits for the model


class FakeFailingScorer(FakeKeywordScorer):
    """Every call raises, as a model whose weights went bad or whose device fell over would."""

    def score(self, texts):
        self.calls.append(list(texts))
        raise RuntimeError("fake model failure")


class FakeHangingScorer(FakeKeywordScorer):
    """Every call blocks until released (or 120 s), as a wedged model would."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def score(self, texts):
        self.calls.append(list(texts))
        self.release.wait(timeout=120)
        return super().score(texts)


def held_for_review(client, auth, comment_id: int) -> None:
    own = client.get(f"/api/v1/comments/{comment_id}", headers=auth("alice"))
    assert own.status_code == 200 and own.get_json()["status"] == "pending_review"
    assert own.get_json()["moderation"]["reason"] == "model_error"
    assert client.get(f"/api/v1/comments/{comment_id}").status_code == 404  # nobody else sees it
    queue = client.get("/api/v1/moderation/queue", headers=auth("mod", "moderator")).get_json()["items"]
    assert comment_id in {item["id"] for item in queue}


@pytest.mark.parametrize("app_config", [{"MODERATION_SCORER": FakeFailingScorer()}])
def test_a_model_that_raises_holds_the_text_and_the_request_answers(client, auth, make_article, fake_scorer):
    url = f"/api/v1/articles/{make_article()['id']}/comments"
    began = time.monotonic()
    response = client.post(url, json={"body": "perfectly fine words"}, headers=auth("alice"))
    assert time.monotonic() - began < 5
    assert response.status_code == 201 and response.get_json()["body"] == "perfectly fine words"
    assert fake_scorer.calls == [["perfectly fine words"]]  # the model was asked, and raised
    held_for_review(client, auth, response.get_json()["id"])


@pytest.mark.long_fault
@pytest.mark.parametrize("app_config", [{"MODERATION_SCORER": FakeHangingScorer()}])
def test_a_model_that_hangs_holds_the_text_within_the_timeout_and_reads_go_on(client, auth, make_article, fake_scorer):
    article_id = make_article()["id"]
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            began = time.monotonic()
            posting = pool.submit(client.post, f"/api/v1/articles/{article_id}/comments", json={"body": "waiting words"}, headers=auth("alice"))
            time.sleep(1)
            assert not posting.done()  # it is waiting on the model
            # Meanwhile, reads are answered at once.
            for _ in range(5):
                read_began = time.monotonic()
                assert client.get(f"/api/v1/articles/{article_id}").status_code == 200
                assert time.monotonic() - read_began < 1
            response = posting.result(timeout=SCORE_TIMEOUT + 15)
            waited = time.monotonic() - began
    finally:
        fake_scorer.release.set()
    print(f"\nmodel hung: the comment was answered after {waited:.1f} s")
    assert response.status_code == 201 and waited < SCORE_TIMEOUT + 5
    held_for_review(client, auth, response.get_json()["id"])
