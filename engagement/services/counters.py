"""Counters change with one atomic UPDATE in the database, never read-modify-write in Python."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
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


def ensure_row(model: Any, **values: Any) -> bool:
    """Insert a row (the other columns at their defaults) unless one with its key exists; whether it went in.

    One INSERT ... ON CONFLICT DO NOTHING, safe when two transactions race to create the row: where an ORM add in
    a SAVEPOINT cost a lookup, a flush, two extra round trips and an exception on every repeat.
    """
    table = model.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # RETURNING, not rowcount: drivers disagree on an INSERT's rowcount (psycopg reported 0 for an inserted row).
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return db.session.execute(statement).first() is not None
