"""Counters change with one atomic UPDATE in the database, never read-modify-write in Python."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import attributes

from engagement.extensions import db


def bump(instance: Any, **deltas: int) -> None:
    """Add ``deltas`` to ``instance``'s counter columns and load the committed values back onto it."""
    deltas = {name: delta for name, delta in deltas.items() if delta}
    if not deltas:
        return
    model = type(instance)
    columns = {name: getattr(model, name) for name in deltas}
    statement = (
        update(model)
        .where(*(column == getattr(instance, column.key) for column in model.__mapper__.primary_key))
        .values({name: column + deltas[name] for name, column in columns.items()})
        .returning(*columns.values())
        .execution_options(synchronize_session=False)
    )
    row = db.session.execute(statement).one()
    for name, value in zip(columns, row, strict=True):
        attributes.set_committed_value(instance, name, value)


def ensure_row(model, **key) -> None:
    """Insert a zeroed row for ``key`` unless it exists; safe when two transactions race to create it."""
    if db.session.get(model, tuple(key.values())) is None:
        try:
            with db.session.begin_nested():
                db.session.add(model(**key))
        except IntegrityError:
            pass


def insert_unless_present(table: Table, **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; whether a row went in. One statement, where an ORM add in a
    SAVEPOINT cost a flush, two extra round trips and an exception on every repeat."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # RETURNING, not rowcount: drivers disagree on an INSERT's rowcount (psycopg reported 0 for an inserted row).
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return db.session.execute(statement).first() is not None
