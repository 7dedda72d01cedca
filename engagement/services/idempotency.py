"""Idempotency keys for money-moving requests: a retry returns the original result and moves nothing."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from engagement.errors import BadRequest, NotFound, PreconditionRequired, Unprocessable
from engagement.extensions import db
from engagement.models import IdempotencyRecord

T = TypeVar("T")
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


def request_fingerprint(scope_target: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps({"target": scope_target, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    user_id: str,
    scope: str,
    key: str | None,
    fingerprint: str,
    perform: Callable[[], T],
    load: Callable[[int], T | None],
    resource_id: Callable[[T], int],
) -> T:
    """Run ``perform`` once per (user, scope, key); a replay with the same request returns ``load(id)``.

    The record is inserted before the work, in the same transaction: a concurrent twin blocks on the
    unique key until the first commits, then finds the record and replays it.
    """
    if key is None:
        raise PreconditionRequired(
            "This request moves value and needs an Idempotency-Key header.",
            errors={"Idempotency-Key": ["Missing header."]},
        )
    if not KEY_PATTERN.fullmatch(key):
        raise BadRequest(
            "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            errors={"Idempotency-Key": ["Invalid value."]},
        )
    record = IdempotencyRecord(user_id=user_id, scope=scope, key=key, request_hash=fingerprint)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        existing = db.session.get(IdempotencyRecord, (user_id, scope, key), populate_existing=True)
        if existing is None:  # pragma: no cover - the row we collided with cannot vanish
            raise
        if existing.request_hash != fingerprint:
            raise Unprocessable(
                "This Idempotency-Key was already used with a different request.",
                errors={"Idempotency-Key": ["Reused with a different body or target."]},
            ) from None
        replayed = load(existing.resource_id) if existing.resource_id is not None else None
        if replayed is None:
            raise NotFound("The original result of this Idempotency-Key no longer exists.")
        return replayed
    result = perform()
    record.resource_id = resource_id(result)
    return result
