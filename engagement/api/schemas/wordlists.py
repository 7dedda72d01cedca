from marshmallow import Schema, fields, validate

from engagement.api.schemas.common import InputSchema, PageQueryArgsSchema, no_control_characters, page_schema
from engagement.models import WordList

LISTS = [word_list.value for word_list in WordList]
# ISO 639-1, lower case ("zh", "es"); absent or null: every language.
LANGUAGE = validate.Regexp(r"^[a-z]{2}$", error="Must be a two-letter ISO 639-1 code such as 'es'.")


class TermQueryArgsSchema(PageQueryArgsSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    list = fields.String(load_default=None, validate=validate.OneOf(LISTS))
    language = fields.String(load_default=None, validate=LANGUAGE)


class TermCreateSchema(InputSchema):
    list = fields.String(required=True, validate=validate.OneOf(LISTS))
    term = fields.String(required=True, validate=[validate.Length(min=1, max=100), no_control_characters])
    language = fields.String(load_default=None, allow_none=True, validate=LANGUAGE)


class TermSchema(Schema):
    id = fields.Integer()
    list = fields.String()
    term = fields.String()
    language = fields.Function(lambda entry: entry.language or None, metadata={"description": "null: every language"})
    created_at = fields.DateTime()
    created_by_id = fields.String(allow_none=True, metadata={"description": "null: shipped with the product"})


TermPageSchema = page_schema(TermSchema, "ModerationTermPage")
