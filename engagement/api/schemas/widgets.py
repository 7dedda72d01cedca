from marshmallow import Schema, fields, validate

from engagement.api.schemas.comments import ModerationInfoSchema
from engagement.api.schemas.common import InputSchema, UserRefSchema, page_schema

# The real bound (400 code points after cleaning) is the service's; this stops absurd payloads early.
TEXT_INPUT = validate.Length(max=4000)
AMOUNT = validate.Range(min=1)


class CreditCreateSchema(InputSchema):
    amount = fields.Integer(required=True, strict=True, validate=AMOUNT)
    currency = fields.String(load_default=None, validate=validate.Length(min=1, max=16))
    note = fields.String(load_default=None, validate=validate.Length(max=200))


class LedgerEntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    currency = fields.String()
    amount = fields.Integer()
    to_user_id = fields.String()
    created_at = fields.DateTime()
    note = fields.String(allow_none=True)


class RewardCreateSchema(InputSchema):
    amount = fields.Integer(required=True, strict=True, validate=AMOUNT)
    currency = fields.String(load_default=None, validate=validate.Length(min=1, max=16))
    message = fields.String(load_default=None, allow_none=True, validate=TEXT_INPUT)


class RewardSchema(Schema):
    id = fields.Integer()
    article_id = fields.String()
    sender = fields.Nested(UserRefSchema)
    to_user_id = fields.String()
    amount = fields.Integer()
    currency = fields.String()
    message = fields.Method("get_message", allow_none=True)
    message_status = fields.Method("get_message_status", allow_none=True)
    moderation = fields.Method("get_moderation", allow_none=True)
    created_at = fields.DateTime()

    def get_message(self, reward):
        # Others see a message only once it is published; its sender and moderators always do.
        if reward.message is None:
            return None
        return reward.message if reward.status == "published" or reward.viewer_is_privileged else None

    def get_message_status(self, reward):
        return reward.status if reward.message is not None else None

    def get_moderation(self, reward):
        return ModerationInfoSchema().dump(reward.moderation) if reward.viewer_is_privileged and reward.message else None


class SupporterSchema(Schema):
    user_id = fields.String()
    name = fields.String(allow_none=True)
    currency = fields.String()
    total = fields.Integer()
    count = fields.Integer()


class RewardPageSchema(Schema):
    items = fields.List(fields.Nested(RewardSchema))
    next_cursor = fields.String(allow_none=True)
    top_supporters = fields.List(fields.Nested(SupporterSchema))


class WalletEntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    currency = fields.String()
    amount = fields.Integer(metadata={"description": "Positive when received, negative when given."})
    counterparty_id = fields.String(allow_none=True)
    article_id = fields.String(allow_none=True)
    created_at = fields.DateTime()


class WalletSchema(Schema):
    user_id = fields.String()
    balances = fields.Dict(keys=fields.String(), values=fields.Integer())
    entries = fields.List(fields.Nested(WalletEntrySchema))
    next_cursor = fields.String(allow_none=True)


class RepostUpsertSchema(InputSchema):
    quote = fields.String(load_default=None, allow_none=True, validate=TEXT_INPUT)


class RepostSchema(Schema):
    id = fields.Integer()
    article_id = fields.String()
    user = fields.Nested(UserRefSchema)
    quote = fields.Method("get_quote", allow_none=True)
    quote_status = fields.Method("get_quote_status", allow_none=True)
    moderation = fields.Method("get_moderation", allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def get_quote(self, repost):
        if repost.quote is None:
            return None
        return repost.quote if repost.status == "published" or repost.viewer_is_privileged else None

    def get_quote_status(self, repost):
        return repost.status if repost.quote is not None else None

    def get_moderation(self, repost):
        return ModerationInfoSchema().dump(repost.moderation) if repost.viewer_is_privileged and repost.quote else None


class ShareCreateSchema(InputSchema):
    channel = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ShareSchema(Schema):
    channel = fields.String()
    share_url = fields.String()
    intent_url = fields.String(allow_none=True)
    share_count = fields.Integer()
    channel_share_count = fields.Integer()


RepostPageSchema = page_schema(RepostSchema, "RepostPage")
