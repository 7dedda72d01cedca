from marshmallow import Schema, fields, validate

from typing import Any

from engagement.api.schemas.common import FastDumpSchema, InputSchema, iso_or_none, no_control_characters


class ArticleUpsertSchema(InputSchema):
    title = fields.String(required=True, validate=[validate.Length(min=1, max=300), no_control_characters])
    url = fields.URL(required=True, schemes={"http", "https"}, validate=[validate.Length(max=2000), no_control_characters])
    author_id = fields.String(required=True, validate=[validate.Length(min=1, max=64), no_control_characters])


class ViewerStateSchema(Schema):
    reposted = fields.Boolean()
    rewarded = fields.Boolean()


class ArticleSchema(FastDumpSchema):
    """An article and every widget's counters; ``viewer`` only with a token."""

    id = fields.String(attribute="article.id")
    title = fields.String(attribute="article.title")
    url = fields.String(attribute="article.url")
    author_id = fields.String(attribute="article.author_id")
    created_at = fields.DateTime(attribute="article.created_at")
    updated_at = fields.DateTime(attribute="article.updated_at")
    comment_count = fields.Integer()
    reward_count = fields.Integer()
    reward_total = fields.Dict(keys=fields.String(), values=fields.Integer())
    repost_count = fields.Integer()
    share_count = fields.Integer()
    share_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    pinned = fields.Boolean()
    viewer = fields.Nested(ViewerStateSchema)

    def serialize(self, summary: dict[str, Any]) -> dict[str, Any]:
        article = summary["article"]
        dumped = {
            "id": str(article.id),
            "title": str(article.title),
            "url": str(article.url),
            "author_id": str(article.author_id),
            "created_at": iso_or_none(article.created_at),
            "updated_at": iso_or_none(article.updated_at),
            **{key: int(summary[key]) for key in ("comment_count", "reward_count", "repost_count", "share_count")},
            "reward_total": {str(k): int(v) for k, v in summary["reward_total"].items()},
            "share_counts": {str(k): int(v) for k, v in summary["share_counts"].items()},
            "pinned": bool(summary["pinned"]),
        }
        if "viewer" in summary:
            dumped["viewer"] = {key: bool(value) for key, value in summary["viewer"].items()}
        return dumped


class EngagementQuerySchema(InputSchema):
    article_ids = fields.List(
        fields.String(validate=[validate.Length(min=1, max=64), no_control_characters]), required=True, validate=validate.Length(min=1, max=100)
    )


class EngagementBatchSchema(Schema):
    items = fields.List(fields.Nested(ArticleSchema))
    missing = fields.List(fields.String())
