"""Fixtures: a real app and a real database per test; a plainly fake scorer for policy tests."""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

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


# ENGAGEMENT_TEST_DATABASE_URL=postgresql+psycopg://user@host:port/postgres runs the suite on PostgreSQL: the
# URL names a maintenance database to connect to, where the template and one database per test are created.
TEST_DATABASE_URL = os.environ.get("ENGAGEMENT_TEST_DATABASE_URL", "").strip()
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
# Applied by tests that check something only SQLite has (pragmas, file copies).
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="checks SQLite-specific behaviour; the suite runs on PostgreSQL")
# Unique per session, so two runs against one server (or a run that died before cleaning up) never collide.
_SESSION_TAG = f"{os.getpid()}_{secrets.token_hex(3)}"
_database_numbers = itertools.count(1)


def _postgres_admin() -> Engine:
    """An autocommit connection to the maintenance database: CREATE/DROP DATABASE cannot run in a transaction."""
    return create_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _postgres_url(database: str) -> str:
    return make_url(TEST_DATABASE_URL).set(database=database).render_as_string(hide_password=False)


def _drop_postgres_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        # FORCE ends connections a test left behind (a server it started, a leaked session).
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database built once through the Alembic migrations; each test gets a copy of it.

    SQLite: a template file that is copied. PostgreSQL: a template database that each test's database is
    created from with ``CREATE DATABASE ... TEMPLATE``, which copies files instead of replaying migrations.
    Yields the template's URL.
    """
    from flask_migrate import upgrade

    from engagement.extensions import db

    if ON_POSTGRES:
        template = f"engagement_template_{_SESSION_TAG}"
        admin = _postgres_admin()
        _drop_postgres_database(admin, template)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{template}"')
        url = _postgres_url(template)
    else:
        admin = None
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    try:
        app = create_app(_test_config(url))
        with app.app_context():
            upgrade()
            # A template database cannot be copied while anyone is connected to it.
            db.engine.dispose()
        yield url
    finally:
        if admin is not None:
            _drop_postgres_database(admin, template)
            admin.dispose()


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


@contextmanager
def database_copy(template_url: str, directory: Path) -> Iterator[str]:
    """A fresh database copied from the migrated template: a file in ``directory``, or a PostgreSQL
    database created from the template and dropped on exit. Yields its URL."""
    if not ON_POSTGRES:
        copy = directory / "engagement.db"
        shutil.copy(make_url(template_url).database, copy)
        yield f"sqlite:///{copy}"
        return
    database = f"test_{_SESSION_TAG}_{next(_database_numbers)}"
    admin = _postgres_admin()
    try:
        with admin.connect() as connection:
            # FILE_COPY (PostgreSQL 15+) copies a small template several times faster than the default WAL_LOG.
            strategy = " STRATEGY FILE_COPY" if connection.dialect.server_version_info >= (15,) else ""
            connection.exec_driver_sql(
                f'CREATE DATABASE "{database}" TEMPLATE "{make_url(template_url).database}"{strategy}'
            )
        yield _postgres_url(database)
    finally:
        _drop_postgres_database(admin, database)
        admin.dispose()


@pytest.fixture
def app(migrated_database: str, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    from engagement.extensions import db

    with database_copy(migrated_database, tmp_path) as url:
        # Rate limit counters of their own (the default file in the instance folder outlives a test).
        storage = {"RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}"}
        app = create_app(_test_config(url, **{**storage, **app_config}))
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def fake_scorer(app: Flask) -> FakeKeywordScorer:
    return app.config["MODERATION_SCORER"]


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
