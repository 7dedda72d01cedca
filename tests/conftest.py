"""Fixtures: a real app and a real database per test; a plainly fake scorer for policy tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engagement import create_app
from engagement.auth import issue_token

TEST_SECRET = "test-secret-" + "x" * 40


class FakeKeywordScorer:
    """A fake model for policy tests: scores come from keywords, so a test can say exactly what it wants.

    ``insult-word`` scores as an insult, ``threat-word`` as a threat, ``reject-word`` as certain toxicity,
    ``explode-word`` makes the model raise.
    """

    name = "fake-keyword-scorer"
    version = "fake-1"
    labels = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
    recommended_thresholds: dict[str, float] = {}

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def score(self, texts):
        self.calls.append(list(texts))
        results = []
        for text in texts:
            lowered = text.lower()
            if "explode-word" in lowered:
                raise RuntimeError("fake model failure")
            scores = dict.fromkeys(self.labels, 0.01)
            if "insult-word" in lowered:
                scores.update(toxicity=0.8, insult=0.85)
            if "threat-word" in lowered:
                scores.update(toxicity=0.7, threat=0.9)
            if "reject-word" in lowered:
                scores.update(toxicity=0.99, severe_toxicity=0.9)
            results.append(scores)
        return results


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built once through the Alembic migrations; each test gets a copy."""
    from flask_migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(_test_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        from engagement.extensions import db

        db.engine.dispose()
    return path


def _test_config(database_uri: str, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "JWT_SECRET": TEST_SECRET,
        "RATELIMIT_ENABLED": False,
        "MODERATION_SCORER": FakeKeywordScorer(),
        "MODERATION_BATCH_WAIT_MS": 0,
        **overrides,
    }


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test overrides; a test module redefines this fixture to change settings."""
    return {}


@pytest.fixture
def app(migrated_database: Path, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    database = tmp_path / "engagement.db"
    shutil.copy(migrated_database, database)
    app = create_app(_test_config(f"sqlite:///{database}", **app_config))
    yield app
    with app.app_context():
        from engagement.extensions import db

        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def fake_scorer(app: Flask) -> FakeKeywordScorer:
    return app.extensions["engagement"].scorer


@pytest.fixture
def token() -> Callable[..., str]:
    def make(sub: str = "alice", role: str = "user", name: str | None = None, ttl: int = 3600) -> str:
        return issue_token(TEST_SECRET, sub, role, name, ttl)

    return make


@pytest.fixture
def auth(token) -> Callable[..., dict[str, str]]:
    """Headers for a caller: ``auth("bob", "moderator")``."""

    def make(sub: str = "alice", role: str = "user", name: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(sub, role, name)}"}

    return make


@pytest.fixture
def make_article(client: FlaskClient, auth) -> Callable[..., dict[str, Any]]:
    counter = iter(range(1, 10_000))

    def make(article_id: str | None = None, author_id: str = "author-1", **fields: Any) -> dict[str, Any]:
        article_id = article_id or f"article-{next(counter)}"
        body = {"title": "A headline", "url": f"https://news.example/{article_id}", "author_id": author_id, **fields}
        response = client.put(f"/api/v1/articles/{article_id}", json=body, headers=auth("root", "admin"))
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def make_comment(client: FlaskClient, auth, make_article) -> Callable[..., dict[str, Any]]:
    def make(article_id: str | None = None, body: str = "A thoughtful remark.", author: str = "alice", **fields: Any):
        article_id = article_id or make_article()["id"]
        response = client.post(
            f"/api/v1/articles/{article_id}/comments", json={"body": body, **fields}, headers=auth(author)
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make
