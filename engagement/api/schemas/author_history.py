from marshmallow import Schema, fields


class AuthorHistorySchema(Schema):
    user_id = fields.String()
    name = fields.String(allow_none=True)
    comments = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "Comment counts by status."})
    approved_by_moderators = fields.Integer()
    rejected_by_moderators = fields.Integer()
    reports_received = fields.Integer()
    bans = fields.Integer(metadata={"description": "Bans ever imposed, from the audit log."})
    banned = fields.Boolean()
    ban_reason = fields.String(allow_none=True)
    banned_until = fields.DateTime(allow_none=True)
