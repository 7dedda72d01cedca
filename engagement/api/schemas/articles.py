from marshmallow import Schema, fields, validate

from engagement.api.schemas.common import InputSchema

class ArticleUpsertSchema(InputSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    url = fields.URL(required=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    author_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ArticleSchema(Schema):
    id = fields.String()
    title = fields.String()
    url = fields.String()
    author_id = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    comment_count = fields.Integer()
