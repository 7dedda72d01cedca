"""A web worker serves comments without scikit-learn or SciPy (about 80 MB a worker when they were imported)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import TEST_SECRET, database_copy

REPOSITORY = Path(__file__).resolve().parents[2]

_WORKER = textwrap.dedent(
    """
    import json, sys
    from engagement import create_app
    from engagement.auth import issue_token

    class FakeConstantScorer:
        # The English model is not what this test is about: the pipeline's own models are real.
        name, version = "fake-constant", "1"
        labels = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
        def score(self, texts):
            return [dict.fromkeys(self.labels, 0.01) for _ in texts]

    database, secret = sys.argv[1:3]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "JWT_SECRET": secret,
                      "RATELIMIT_ENABLED": False, "MODERATION_SCORER": FakeConstantScorer(),
                      "MODERATION_BATCH_WAIT_MS": 0})
    client = app.test_client()
    admin = {"Authorization": "Bearer " + issue_token(secret, "root", "admin")}
    article = {"title": "A headline", "url": "https://news.example/a1", "author_id": "author-1"}
    assert client.put("/api/v1/articles/a1", json=article, headers=admin).status_code == 201
    alice = {"Authorization": "Bearer " + issue_token(secret, "alice")}
    statuses = []
    for body in ("Thanks for the article, well argued.", "这篇文章写得很好，谢谢分享。", "Ты полный идиот, заткнись, урод.",
                 "Danke für den Artikel, sehr informativ.", "닥쳐 이 병신아, 꺼져."):
        response = client.post("/api/v1/articles/a1/comments", json={"body": body}, headers=alice)
        statuses.append(response.status_code)
    from sqlalchemy import select
    from engagement.extensions import db
    from engagement.models import Comment
    with app.app_context():
        stored = db.session.execute(
            select(Comment.moderation_language, Comment.moderation_scores).order_by(Comment.created_at, Comment.id)
        ).all()
    languages = [lang for lang, _ in stored]
    multilingual = [sorted(scores or {}) for _, scores in stored]
    moderator = app.extensions["engagement"]
    scores = moderator.multilingual.score(["Ты полный идиот, заткнись, урод.", "Спасибо за статью."], ["ru", "ru"])
    print(json.dumps({"statuses": statuses, "languages": languages, "score_keys": multilingual, "scores": scores, "spam": moderator.spam_model is not None,
                      "imported": sorted({name.split(".")[0] for name in sys.modules} & {"sklearn", "scipy", "torch"})}))
    """
)


def test_a_web_worker_moderates_without_sklearn_or_scipy(migrated_database: str, tmp_path: Path) -> None:
    with database_copy(migrated_database, tmp_path) as url:
        result = subprocess.run(
            [sys.executable, "-c", _WORKER, url, TEST_SECRET], cwd=REPOSITORY, capture_output=True, text=True, timeout=300
        )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [201] * 5
    # Identified by py3langid, and the four non-English comments scored by the multilingual model.
    assert report["languages"] == ["en", "zh", "ru", "de", "ko"]
    assert ["toxicity_multilingual" in keys for keys in report["score_keys"]] == [False, True, True, True, True]
    insult, thanks = report["scores"]
    assert insult > thanks
    assert report["spam"] is True
    assert report["imported"] == []
