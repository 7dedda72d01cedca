"""Wallets: credits from outside, balances and the ledger."""

from marshmallow import Schema, fields, validate

from engagement.api.schemas.common import AMOUNT, InputSchema, no_control_characters


class CreditCreateSchema(InputSchema):
    amount = fields.Integer(required=True, strict=True, validate=AMOUNT)
    currency = fields.String(load_default=None, validate=[validate.Length(min=1, max=16), no_control_characters])
    note = fields.String(load_default=None, validate=[validate.Length(max=200), no_control_characters])


class LedgerEntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    currency = fields.String()
    amount = fields.Integer()
    to_user_id = fields.String()
    created_at = fields.DateTime()
    note = fields.String(allow_none=True)


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
