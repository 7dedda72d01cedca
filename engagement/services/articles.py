from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from engagement.auth import Actor
from engagement.errors import Forbidden, NotFound, Unprocessable
from engagement.extensions import db
from engagement.models import Article, ArticleRewardTotal, ArticleShareCount, Repost, Reward
from engagement.services.users import get_or_create_user, writer_for


ARTICLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def get_article(article_id: str) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound(f"Article {article_id!r} is not registered.")
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


def summarize_articles(article_ids: list[str], viewer: Actor | None) -> list[dict[str, Any]]:
    """Every widget's counters for each known article (in the order asked), plus the viewer's own state.

    A handful of indexed lookups for the whole batch, whatever its size: counters live on rows.
    """
    wanted = list(dict.fromkeys(article_ids))
    articles = {a.id: a for a in db.session.scalars(select(Article).where(Article.id.in_(wanted)))}
    found = [article_id for article_id in wanted if article_id in articles]
    if not found:
        return []
    pinned = set(db.session.scalars(select(Article.id).where(Article.id.in_(found), Article.pin_is_active())))
    totals: dict[str, dict[str, int]] = {article_id: {} for article_id in found}
    for row in db.session.scalars(select(ArticleRewardTotal).where(ArticleRewardTotal.article_id.in_(found))):
        totals[row.article_id][row.currency] = row.total
    channels: dict[str, dict[str, int]] = {article_id: {} for article_id in found}
    for row in db.session.scalars(select(ArticleShareCount).where(ArticleShareCount.article_id.in_(found))):
        channels[row.article_id][row.channel] = row.count
    reposted: set[str] = set()
    rewarded: set[str] = set()
    if viewer is not None:
        reposted = set(
            db.session.scalars(select(Repost.article_id).where(Repost.user_id == viewer.user_id, Repost.article_id.in_(found)))
        )
        rewarded = set(
            db.session.scalars(
                select(Reward.article_id).where(Reward.from_user_id == viewer.user_id, Reward.article_id.in_(found)).distinct()
            )
        )
    summaries = []
    for article_id in found:
        article = articles[article_id]
        summary: dict[str, Any] = {
            "article": article,
            "comment_count": article.comment_count,
            "reward_count": article.reward_count,
            "reward_total": totals[article_id],
            "repost_count": article.repost_count,
            "share_count": article.share_count,
            "share_counts": channels[article_id],
            "pinned": article_id in pinned,
        }
        if viewer is not None:
            summary["viewer"] = {"reposted": article_id in reposted, "rewarded": article_id in rewarded}
        summaries.append(summary)
    return summaries


def article_with_summary(article_id: str, viewer: Actor | None) -> dict[str, Any]:
    get_article(article_id)
    return summarize_articles([article_id], viewer)[0]


def summaries_for(article_ids: list[str], viewer: Actor | None) -> dict[str, Any]:
    summaries = summarize_articles(article_ids, viewer)
    known = {summary["article"].id for summary in summaries}
    return {"items": summaries, "missing": [a for a in dict.fromkeys(article_ids) if a not in known]}
