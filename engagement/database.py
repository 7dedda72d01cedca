"""Engine set-up per backend: SQLite in WAL mode with a busy timeout and real transactions."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from engagement.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so SAVEPOINTs work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another
        # writer got there first; taking the write lock up front makes it wait on the busy timeout instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _request_may_write() else "BEGIN")


def _request_may_write() -> bool:
    """False for GET/HEAD/OPTIONS and for methods a view declares read-only (a POST that only reads, such as
    the batch of article counters), so those never queue on SQLite's single write lock."""
    if not has_request_context():
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    view_class = getattr(current_app.view_functions.get(request.endpoint), "view_class", None)
    return request.method not in getattr(view_class, "read_only_methods", ())


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
