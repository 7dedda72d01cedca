from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from engagement.auth import Actor
from engagement.errors import Forbidden, Unprocessable
from engagement.extensions import db
from engagement.models import Role, User
from engagement.models._types import utcnow
from engagement.services.audit import record_audit


def get_or_create_user(user_id: str, name: str | None = None, role: Role | None = None) -> User:
    """The user row for ``user_id``, inserted on first sight; safe when two requests race to create it."""
    user = db.session.get(User, user_id)
    if user is None:
        try:
            with db.session.begin_nested():
                user = User(id=user_id, name=name, role=(role or Role.USER).value)
                db.session.add(user)
        except IntegrityError:
            user = db.session.get(User, user_id, populate_existing=True)
            assert user is not None
    return user


def user_for(actor: Actor) -> User:
    """The actor's row, kept in step with the name and role their token carries."""
    user = get_or_create_user(actor.user_id, actor.name, actor.role)
    if actor.name and user.name != actor.name:
        user.name = actor.name
    if user.role != actor.role.value:
        user.role = actor.role.value
    return user


def refuse_service(actor: Actor | None) -> None:
    """The host's back office may credit wallets and nothing else: it writes nothing in anyone's name."""
    if actor is not None and actor.role is Role.SERVICE:
        raise Forbidden("Service accounts may only credit wallets.")


def writer_for(actor: Actor) -> User:
    """The actor's row, refusing service accounts and banned users any write."""
    refuse_service(actor)
    return issuer_for(actor)


def issuer_for(actor: Actor) -> User:
    """The actor's row, refusing banned users; for the one write a service account may make too (credits)."""
    user = user_for(actor)
    if user.ban_binds(actor.role):
        until = f" until {user.banned_until.isoformat()}" if user.banned_until else ""
        raise Forbidden(
            f"You are banned{until}: {user.ban_reason or 'no reason given'}.",
            errors={"ban": {"reason": user.ban_reason, "until": user.banned_until.isoformat() if user.banned_until else None}},
        )
    return user


def require_admin(actor: Actor, refusal: str) -> None:
    """``refusal`` says what only admins may do."""
    if not actor.is_admin:
        raise Forbidden(refusal)


def require_moderator(actor: Actor) -> None:
    if not actor.can_moderate:
        raise Forbidden("Only moderators and admins can do this.")


def moderator_for(actor: Actor) -> User:
    """The row of a moderator or admin about to write as one; a banned one is refused like any writer."""
    require_moderator(actor)
    return writer_for(actor)


def ban_user(actor: Actor, user_id: str, reason: str, until: datetime | None) -> User:
    moderator = moderator_for(actor)
    if until is not None and until <= utcnow():
        raise Unprocessable("A ban must end in the future.", errors={"until": ["Must be in the future."]})
    if user_id == actor.user_id:
        raise Unprocessable("You cannot ban yourself.", errors={"user_id": ["Cannot ban yourself."]})
    target = get_or_create_user(user_id)
    if Role(target.role).can_moderate and not actor.is_admin:
        raise Forbidden("Only an admin can ban a moderator or an admin.")
    target.banned_at = utcnow()
    target.banned_until = until
    target.ban_reason = reason
    target.banned_by_id = moderator.id
    target.banned_by_role = actor.role.value
    record_audit(
        "ban",
        "user",
        user_id,
        actor_id=moderator.id,
        reason=reason,
        details={"until": until.isoformat() if until else None},
    )
    return target


def unban_user(actor: Actor, user_id: str) -> User:
    # A banned moderator is refused here too, so nobody lifts their own ban.
    moderator = moderator_for(actor)
    target = get_or_create_user(user_id)
    if Role(target.role).can_moderate and not actor.is_admin:
        raise Forbidden("Only an admin can lift the ban of a moderator or an admin.")
    if target.banned_at is not None:
        target.banned_at = target.banned_until = target.ban_reason = target.banned_by_id = target.banned_by_role = None
        record_audit("unban", "user", user_id, actor_id=moderator.id)
    return target
