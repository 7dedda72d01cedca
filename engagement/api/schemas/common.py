from marshmallow import RAISE, Schema, fields, validate


class InputSchema(Schema):
    """Every request body rejects fields it does not know."""

    class Meta:
        unknown = RAISE


class PageQueryArgsSchema(InputSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


class UserRefSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict()


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )
