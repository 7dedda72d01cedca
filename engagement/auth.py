"""Bearer JWTs: who is calling, with which role, and from which address."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from flask import current_app, g, request

from engagement.addresses import client_address
from engagement.errors import Unauthorized
from engagement.jwt_keys import KeyNotFound, VerificationKeys
from engagement.models.users import Role

logger = logging.getLogger(__name__)

MAX_SUBJECT_LENGTH = 64


def is_user_id(value: object) -> bool:
    """A token's sub, and so a user id anywhere: 1..64 printable characters, not only spaces. Printable excludes
    control characters and lone surrogates, which the database cannot store."""
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_SUBJECT_LENGTH and value.isprintable()


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as the token says; services receive it explicitly."""

    user_id: str
    role: Role
    name: str | None = None

    @property
    def can_moderate(self) -> bool:
        return self.role.can_moderate

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def issue_token(
    key: Any,
    subject: str,
    role: str = "user",
    name: str | None = None,
    ttl_seconds: int = 3600,
    *,
    algorithm: str = "HS256",
    kid: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """A signed token: ``key`` is the HS256 secret, or a private key (PEM or object) for RS256/ES256."""
    if not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise ValueError(f"sub must be 1..{MAX_SUBJECT_LENGTH} characters")
    now = datetime.now(timezone.utc)
    claims: dict[str, object] = {
        "sub": subject,
        "role": Role(role).value,
        "exp": now + timedelta(seconds=ttl_seconds),
        "iat": now,
    }
    if name:
        claims["name"] = name
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid} if kid else None)


def decode_token(token: str, keys: VerificationKeys, issuer: str | None = None, audience: str | None = None) -> Actor:
    """The actor a token names, verified with the one key and algorithm its header may use; else a 401."""
    try:
        key, algorithm = keys.key_for(jwt.get_unverified_header(token))
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer or None,
            audience=audience or None,
            options={"require": ["exp", "sub", *(["iss"] if issuer else []), *(["aud"] if audience else [])]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired.") from None
    except (jwt.InvalidTokenError, KeyNotFound) as error:
        raise Unauthorized(f"The token is invalid: {error}.") from None
    subject = claims.get("sub")
    if not is_user_id(subject):
        raise Unauthorized(f"The token's sub must be a string of 1..{MAX_SUBJECT_LENGTH} printable characters.")
    try:
        role = Role(claims.get("role", Role.USER.value))
    except ValueError:
        raise Unauthorized("The token's role must be one of user, moderator, admin, service.") from None
    name = claims.get("name")
    if not isinstance(name, str) or not name.isprintable():
        name = None  # the display name is optional: an unusable one is dropped, not fatal
    return Actor(user_id=subject, role=role, name=name[:128] if name else None)


def optional_actor() -> Actor | None:
    """The caller's identity, or None for anonymous requests; a bad token is a 401, never anonymous."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        if not header:
            g.actor = None
        else:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("Authorization must be 'Bearer <token>'.")
            config = current_app.config
            g.actor = decode_token(
                token.strip(), current_app.extensions["jwt_keys"], config["JWT_ISSUER"], config["JWT_AUDIENCE"]
            )
    return g.actor


def required_actor() -> Actor:
    actor = optional_actor()
    if actor is None:
        raise Unauthorized("This action needs a bearer token.", headers={"WWW-Authenticate": "Bearer"})
    return actor


def rate_limit_key() -> str:
    """Authenticated callers are limited per user, anonymous ones per address."""
    try:
        actor = optional_actor()
    except Unauthorized:
        actor = None  # the view answers 401; the limiter still needs a key
    return f"user:{actor.user_id}" if actor else f"addr:{client_address()}"
