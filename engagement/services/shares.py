"""Shares: per-channel counters and a share link with tracking parameters and the channel's intent URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from flask import current_app

from engagement.auth import Actor
from engagement.errors import Unprocessable
from engagement.extensions import db
from engagement.models import ArticleShareCount, Share
from engagement.services.articles import get_article
from engagement.services.counters import bump, ensure_row
from engagement.services.users import refuse_service

# Where each social channel takes a link; {url} and {title} are URL-encoded.
INTENT_URLS = {
    "x": "https://x.com/intent/post?url={url}&text={title}",
    "telegram": "https://t.me/share/url?url={url}&text={title}",
    "facebook": "https://www.facebook.com/sharer/sharer.php?u={url}",
    "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url={url}",
    "reddit": "https://www.reddit.com/submit?url={url}&title={title}",
    "whatsapp": "https://wa.me/?text={title}%20{url}",
    "email": "mailto:?subject={title}&body={url}",
}


def tracked_url(article_url: str, channel: str, referrer_id: str | None) -> str:
    parts = urlsplit(article_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_") and k != "ref"]
    query += [("utm_source", channel), ("utm_medium", "social"), ("utm_campaign", "engagement")]
    if referrer_id:
        query.append(("ref", referrer_id))
    return urlunsplit(parts._replace(query=urlencode(query)))


def share_article(actor: Actor | None, article_id: str, channel: str) -> dict:
    refuse_service(actor)
    channels = current_app.config["SHARE_CHANNELS"]
    if channel not in channels:
        raise Unprocessable(f"Unknown channel {channel!r}.", errors={"channel": [f"Must be one of: {', '.join(channels)}."]})
    article = get_article(article_id)
    referrer = actor.user_id if actor else None
    db.session.add(Share(article_id=article.id, channel=channel, user_id=referrer))
    bump(article, share_count=1)
    ensure_row(ArticleShareCount, article_id=article.id, channel=channel)
    per_channel = db.session.get(ArticleShareCount, (article.id, channel))
    bump(per_channel, count=1)
    share_url = tracked_url(article.url, channel, referrer)
    template = INTENT_URLS.get(channel)
    return {
        "channel": channel,
        "share_url": share_url,
        "intent_url": template.format(url=quote(share_url, safe=""), title=quote(article.title, safe="")) if template else None,
        "share_count": article.share_count,
        "channel_share_count": per_channel.count,
    }
