from __future__ import annotations

import re
from typing import Any

from engagement.auth import Actor
from engagement.errors import Forbidden, NotFound, Unprocessable
from engagement.extensions import db
from engagement.models import Article
from engagement.services.users import get_or_create_user, writer_for


ARTICLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def get_article(article_id: str) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound(f"Article {article_id!r} is not registered.")
    return article


def register_article(actor: Actor, article_id: str, data: dict[str, Any]) -> tuple[Article, bool]:
    """Create or update an article; returns it and whether it was created."""
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
    return article, created
