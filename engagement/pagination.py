"""Opaque cursors for keyset pagination: the last row's sort key, base64url-encoded JSON."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from engagement.errors import BadRequest
from engagement.models._types import MAX_INTEGER

T = TypeVar("T")


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: Callable[[Any], Any]) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError("wrong shape")
        return tuple(_storable(kind(value)) for kind, value in zip(types, values, strict=True))
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("The cursor is not valid for this list.", errors={"cursor": ["Invalid cursor."]}) from None


def _storable(value: Any) -> Any:
    """A crafted cursor must not carry a value the database cannot compare: that would be a 500."""
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        raise ValueError("out of range")
    if isinstance(value, datetime):
        value.astimezone(timezone.utc)  # OverflowError near year 1 or 9999
    return value


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
