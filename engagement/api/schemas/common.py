import re
from datetime import datetime, timezone
from collections.abc import Callable
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

# C0 controls other than tab and line breaks, and DEL. Free text (bodies, quotes, messages) is cleaned by the
# text rules instead; every other input string refuses them, NUL above all, which PostgreSQL cannot store.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The real bound (400 code points after cleaning) is the service's; this stops absurd payloads early.
TEXT_INPUT = validate.Length(max=4000)
AMOUNT = validate.Range(min=1)


def no_control_characters(value: str) -> None:
    if _CONTROL_CHARACTER.search(value):
        raise ValidationError("Must not contain control characters.")


class InputSchema(Schema):
    """Every request body rejects fields it does not know."""

    class Meta:
        unknown = RAISE


class UTCDateTimeField(fields.AwareDateTime):
    """An aware datetime, returned in UTC; one that UTC cannot hold ("9999-12-31T23:00-05:00") is a 422."""

    default_error_messages = {"out_of_range": "Must fall between the years 1 and 9999 in UTC."}

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError:
            raise self.make_error("out_of_range") from None


class PageQueryArgsSchema(InputSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


class IdempotencyHeaderSchema(Schema):
    """The Idempotency-Key header of a money-moving request (credits, rewards)."""

    class Meta:
        unknown = EXCLUDE

    idempotency_key = fields.String(
        data_key="Idempotency-Key", load_default=None, metadata={"description": "Required: retries with the same key replay."}
    )


class FastDumpSchema(Schema):
    """A response schema whose whole-object dumps go through one plain function, ``serialize``.

    marshmallow spends several microseconds per field and object; on a page of 100 comments that was most of
    the request. The declared fields stay the contract: they document the response in OpenAPI, a partial dump
    (``only``/``exclude``) still goes through them, and tests compare ``serialize`` with ``Schema.dump`` for
    every shape an object can take.
    """

    # Each subclass defines it: the plain function its dumps go through.
    serialize: Callable[[Any], dict[str, Any]]

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        many = self.many if many is None else bool(many)
        if self.only is not None or self.exclude:
            return super().dump(obj, many=many)
        return [self.serialize(item) for item in obj] if many else self.serialize(obj)


def text_or_none(value: Any) -> str | None:
    """What a ``fields.String(allow_none=True)`` dumps."""
    return None if value is None else str(value)


def iso_or_none(value: datetime | None) -> str | None:
    """What a ``fields.DateTime()`` dumps (ISO 8601, the stored UTC offset kept)."""
    return None if value is None else value.isoformat()


class UserRefSchema(FastDumpSchema):
    id = fields.String()
    name = fields.String(allow_none=True)

    def serialize(self, user: Any) -> dict[str, Any]:
        return {"id": str(user.id), "name": text_or_none(user.name)}


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    page = Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )
    if not issubclass(item_schema, FastDumpSchema):
        return page
    items = item_schema(many=True)

    def serialize(self: Schema, result: Any) -> dict[str, Any]:
        return {"items": items.dump(result.items), "next_cursor": text_or_none(result.next_cursor)}

    return type(name, (FastDumpSchema, page), {"serialize": serialize})
