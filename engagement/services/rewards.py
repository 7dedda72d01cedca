"""Rewards: a ledger of immutable entries with wallets kept in step, never below zero."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from engagement.auth import Actor
from engagement.errors import Conflict, Forbidden, Unprocessable
from engagement.extensions import db
from engagement.models import Article, ArticleRewardTotal, ArticleSupporter, LedgerEntry, Reward, Role, Wallet
from engagement.pagination import Page, decode_cursor, encode_cursor
from engagement.services.articles import get_article
from engagement.services.counters import bump, ensure_row
from engagement.services.idempotency import request_fingerprint, run_once
from engagement.services.screening import after_screening, screen_text, store_result
from engagement.services.users import get_or_create_user, issuer_for, user_for, writer_for
from engagement.text import optional_user_text


def _checked_currency(currency: str | None) -> str:
    allowed = current_app.config["REWARD_CURRENCIES"]
    currency = currency or allowed[0]
    if currency not in allowed:
        raise Unprocessable(f"Unknown currency {currency!r}.", errors={"currency": [f"Must be one of: {', '.join(allowed)}."]})
    return currency


def _checked_amount(amount: int) -> int:
    ceiling = current_app.config["REWARD_MAX_AMOUNT"]
    if amount > ceiling:
        raise Unprocessable(f"At most {ceiling} per reward.", errors={"amount": [f"Must be at most {ceiling}."]})
    return amount


def _credit_wallet(user_id: str, currency: str, amount: int) -> None:
    ensure_row(Wallet, user_id=user_id, currency=currency)
    db.session.execute(
        update(Wallet)
        .where(Wallet.user_id == user_id, Wallet.currency == currency)
        .values(balance=Wallet.balance + amount)
        .execution_options(synchronize_session=False)
    )


def _debit_wallet(user_id: str, currency: str, amount: int) -> None:
    """One conditional UPDATE: it either takes the whole amount or touches nothing."""
    taken = db.session.execute(
        update(Wallet)
        .where(Wallet.user_id == user_id, Wallet.currency == currency, Wallet.balance >= amount)
        .values(balance=Wallet.balance - amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise Conflict(
            f"Insufficient balance: this reward needs {amount} {currency}.",
            errors={"amount": ["Insufficient balance."]},
        )


def credit_user(actor: Actor, user_id: str, amount: int, currency: str | None, key: str | None, note: str | None = None) -> LedgerEntry:
    """Deposit value from the host platform (admins and service accounts)."""
    if actor.role not in (Role.ADMIN, Role.SERVICE):
        raise Forbidden("Only admins and service accounts can credit wallets.")
    currency = _checked_currency(currency)
    amount = _checked_amount(amount)
    issuer = issuer_for(actor)

    def perform() -> LedgerEntry:
        get_or_create_user(user_id)
        _credit_wallet(user_id, currency, amount)
        entry = LedgerEntry(kind="credit", currency=currency, amount=amount, to_user_id=user_id, created_by_id=issuer.id, note=note)
        db.session.add(entry)
        db.session.flush()
        return entry

    fingerprint = request_fingerprint(f"credit:{user_id}", {"amount": amount, "currency": currency, "note": note})
    return run_once(issuer.id, "credit", key, fingerprint, perform, lambda i: db.session.get(LedgerEntry, i), lambda e: e.id)


def reward_article(actor: Actor, article_id: str, amount: int, currency: str | None, message: str | None, key: str | None) -> Reward:
    """Move ``amount`` from the viewer's wallet to the article author's, with an optional moderated message."""
    currency = _checked_currency(currency)
    amount = _checked_amount(amount)
    message = optional_user_text(message, "message", current_app.config["COMMENT_MAX_LENGTH"])
    article = get_article(article_id)
    if article.author_id == actor.user_id:
        raise Unprocessable("You cannot reward your own article.", errors={"article_id": ["You are its author."]})
    fingerprint = request_fingerprint(f"reward:{article_id}", {"amount": amount, "currency": currency, "message": message})
    sender = writer_for(actor)

    def perform() -> Reward:
        result = screen_text("reward", message, actor, article.id)
        _debit_wallet(sender.id, currency, amount)
        _credit_wallet(article.author_id, currency, amount)
        entry = LedgerEntry(
            kind="reward", currency=currency, amount=amount, from_user_id=sender.id, to_user_id=article.author_id, article_id=article.id
        )
        db.session.add(entry)
        db.session.flush()
        reward = Reward(
            article_id=article.id, from_user_id=sender.id, to_user_id=article.author_id, amount=amount,
            currency=currency, message=message, ledger_entry_id=entry.id, status=result.status,
        )
        store_result(reward, result)
        db.session.add(reward)
        db.session.flush()
        _count_reward(article.id, sender.id, currency, amount)
        after_screening("reward", reward, result, None)
        return reward

    reward = run_once(sender.id, "reward", key, fingerprint, perform, lambda i: db.session.get(Reward, i), lambda r: r.id)
    reward.viewer_is_privileged = True
    return reward


def _count_reward(article_id: str, user_id: str, currency: str, amount: int) -> None:
    bump(db.session.get(Article, article_id), reward_count=1)
    for model, key in (
        (ArticleRewardTotal, {"article_id": article_id, "currency": currency}),
        (ArticleSupporter, {"article_id": article_id, "user_id": user_id, "currency": currency}),
    ):
        ensure_row(model, **key)
        db.session.execute(
            update(model)
            .where(*(getattr(model, name) == value for name, value in key.items()))
            .values(total=model.total + amount, count=model.count + 1)
            .execution_options(synchronize_session=False)
        )


def wallet_for(actor: Actor, limit: int = 20, cursor: str | None = None) -> dict:
    """Balances in every currency and the viewer's ledger entries, newest first."""
    user = user_for(actor)
    balances = {currency: 0 for currency in current_app.config["REWARD_CURRENCIES"]}
    for wallet in db.session.scalars(select(Wallet).where(Wallet.user_id == user.id)):
        balances[wallet.currency] = wallet.balance
    query = select(LedgerEntry).where((LedgerEntry.to_user_id == user.id) | (LedgerEntry.from_user_id == user.id))
    if cursor:
        query = query.where(LedgerEntry.id < decode_cursor(cursor, int)[0])
    rows = list(db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit + 1)))
    entries = [
        {
            "id": e.id, "kind": e.kind, "currency": e.currency, "created_at": e.created_at, "article_id": e.article_id,
            "amount": e.amount if e.to_user_id == user.id else -e.amount,
            "counterparty_id": e.from_user_id if e.to_user_id == user.id else e.to_user_id,
        }
        for e in rows[:limit]
    ]
    return {
        "user_id": user.id,
        "balances": balances,
        "entries": entries,
        "next_cursor": encode_cursor(rows[limit - 1].id) if len(rows) > limit else None,
    }


def list_rewards(article_id: str, viewer: Actor | None, limit: int = 20, cursor: str | None = None) -> dict:
    """Recent rewards (messages only once published, or to their sender and moderators) and top supporters."""
    get_article(article_id)
    query = select(Reward).where(Reward.article_id == article_id)
    if cursor:
        query = query.where(Reward.id < decode_cursor(cursor, int)[0])
    rows = list(db.session.scalars(query.order_by(Reward.id.desc()).limit(limit + 1)))
    for reward in rows:
        reward.viewer_is_privileged = viewer is not None and (viewer.can_moderate or viewer.user_id == reward.from_user_id)
    supporters = db.session.scalars(
        select(ArticleSupporter).where(ArticleSupporter.article_id == article_id).order_by(ArticleSupporter.total.desc(), ArticleSupporter.user_id).limit(10)
    )
    return {
        "items": rows[:limit],
        "next_cursor": encode_cursor(rows[limit - 1].id) if len(rows) > limit else None,
        "top_supporters": [
            {"user_id": s.user_id, "name": s.user.name, "currency": s.currency, "total": s.total, "count": s.count} for s in supporters
        ],
    }
