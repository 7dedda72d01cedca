from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, literal, select, union_all

from engagement.auth import Actor
from engagement.errors import Forbidden, NotFound, Unprocessable
from engagement.extensions import db
from engagement.models import Article, ArticleRewardTotal, ArticleShareCount, Repost, Reward
from engagement.models._types import utcnow
from engagement.services.users import get_or_create_user, writer_for


ARTICLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def article_not_found(article_id: str) -> NotFound:
    return NotFound(f"Article {article_id!r} is not registered.")


def get_article(article_id: str) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        raise article_not_found(article_id)
    return article


def register_article(actor: Actor, article_id: str, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Create or update an article; returns its summary and whether it was created."""
    if not actor.is_admin:
        raise Forbidden("Only admins register articles.")
    if not ARTICLE_ID.fullmatch(article_id):
        raise Unprocessable(
            "The article id is not valid.",
            errors={"article_id": ["Use 1 to 64 letters, digits, '.', '_', ':' or '-'."]},
        )
    writer_for(actor)
    get_or_create_user(data["author_id"])
    article = db.session.get(Article, article_id)
    created = article is None
    if created:
        article = Article(id=article_id, comment_count=0, repost_count=0, share_count=0, reward_count=0)
        db.session.add(article)
    article.title = data["title"]
    article.url = data["url"]
    article.author_id = data["author_id"]
    db.session.flush()
    return summarize_articles([article.id], actor)[0], created


# Built once: a statement's construction costs more than its execution, and the batch endpoint is among the
# busiest. Two statements for a reader, three for a signed-in one, whatever the number of articles.
_IDS = bindparam("ids", expanding=True)
_ARTICLES = select(
    Article.id, Article.title, Article.url, Article.author_id, Article.created_at, Article.updated_at,
    Article.comment_count, Article.reward_count, Article.repost_count, Article.share_count,
    Article.pin_is_active(bindparam("now")).label("pinned"),
).where(Article.id.in_(_IDS))
# Per-currency reward totals and per-channel share counts of the batch, in one round trip.
_COUNTERS = union_all(
    select(ArticleRewardTotal.article_id, literal("reward"), ArticleRewardTotal.currency, ArticleRewardTotal.total)
    .where(ArticleRewardTotal.article_id.in_(_IDS)),
    select(ArticleShareCount.article_id, literal("share"), ArticleShareCount.channel, ArticleShareCount.count)
    .where(ArticleShareCount.article_id.in_(_IDS)),
)
_VIEWER_STATE = union_all(
    select(Repost.article_id, literal("reposted")).where(Repost.user_id == bindparam("viewer"), Repost.article_id.in_(_IDS)),
    select(Reward.article_id, literal("rewarded")).where(Reward.from_user_id == bindparam("viewer"), Reward.article_id.in_(_IDS)),
)


def summarize_articles(article_ids: list[str], viewer: Actor | None) -> list[dict[str, Any]]:
    """Every widget's counters for each known article (in the order asked), plus the viewer's own state.

    A fixed number of indexed lookups for the whole batch, whatever its size: counters live on rows.
    """
    wanted = list(dict.fromkeys(article_ids))
    articles = {row.id: row for row in db.session.execute(_ARTICLES, {"ids": wanted, "now": utcnow()})}
    found = [article_id for article_id in wanted if article_id in articles]
    if not found:
        return []
    counters: dict[str, dict[str, dict[str, int]]] = {article_id: {"reward": {}, "share": {}} for article_id in found}
    for article_id, kind, key, value in db.session.execute(_COUNTERS, {"ids": found}):
        counters[article_id][kind][key] = value
    states: set[tuple[str, str]] = set()
    if viewer is not None:
        states = {tuple(row) for row in db.session.execute(_VIEWER_STATE, {"ids": found, "viewer": viewer.user_id})}
    summaries = []
    for article_id in found:
        article = articles[article_id]
        summary: dict[str, Any] = {
            "article": article,
            "comment_count": article.comment_count,
            "reward_count": article.reward_count,
            "reward_total": counters[article_id]["reward"],
            "repost_count": article.repost_count,
            "share_count": article.share_count,
            "share_counts": counters[article_id]["share"],
            "pinned": bool(article.pinned),
        }
        if viewer is not None:
            summary["viewer"] = {"reposted": (article_id, "reposted") in states, "rewarded": (article_id, "rewarded") in states}
        summaries.append(summary)
    return summaries


def article_with_summary(article_id: str, viewer: Actor | None) -> dict[str, Any]:
    summaries = summarize_articles([article_id], viewer)
    if not summaries:
        raise article_not_found(article_id)
    return summaries[0]


def summaries_for(article_ids: list[str], viewer: Actor | None) -> dict[str, Any]:
    summaries = summarize_articles(article_ids, viewer)
    known = {summary["article"].id for summary in summaries}
    return {"items": summaries, "missing": [a for a in dict.fromkeys(article_ids) if a not in known]}
