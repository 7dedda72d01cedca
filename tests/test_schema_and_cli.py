"""Migrations are the only source of the schema and agree with the models; the CLI and config behave."""

import jwt
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engagement import create_app
from engagement.extensions import db
from tests.conftest import TEST_SECRET, sqlite_only


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_token_issue_prints_a_token_the_api_accepts(app):
    result = app.test_cli_runner().invoke(args=["token", "issue", "--sub", "alice", "--role", "admin", "--ttl", "60"])
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "alice" and claims["role"] == "admin" and claims["exp"] - claims["iat"] == 60


def test_token_issue_rejects_a_bad_subject(app):
    result = app.test_cli_runner().invoke(args=["token", "issue", "--sub", "x" * 65])
    assert result.exit_code != 0


def test_production_refuses_to_start_without_a_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("ENGAGEMENT_ENV", "production")
    monkeypatch.delenv("ENGAGEMENT_JWT_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="ENGAGEMENT_JWT_SECRET"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "MODERATION_LOAD": "lazy"})


def test_bad_threshold_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_HOLD_THRESHOLDS", "toxicity=lots")
    with pytest.raises(ValueError, match="ENGAGEMENT_HOLD_THRESHOLDS"):
        create_app({"MODERATION_LOAD": "lazy"})


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    from sqlalchemy import text

    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
