"""HTTP layer: one smorest Blueprint per resource; views parse, call one service, serialize."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Flask, current_app, g, request
from flask.views import MethodView
from marshmallow import missing
from webargs.flaskparser import FlaskParser
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

from engagement.auth import MAX_SUBJECT_LENGTH, is_user_id, rate_limit_key, required_actor
from engagement.errors import BadRequest
from engagement.addresses import client_address
from engagement.extensions import api, db, limiter
from engagement.models._types import MAX_INTEGER

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BEARER = {"bearerAuth": []}
# An operation's OpenAPI security by what it needs: no token; a token if the caller has one (it changes what
# they see); a token. Swagger UI shows a padlock on the last two only.
SECURITY = {"none": [], "optional": [{}, BEARER], "required": [BEARER]}


class StrictJSONParser(FlaskParser):
    """webargs' parser, with every undecodable body a 400 like any malformed JSON.

    webargs turns syntax errors into a 400, but a body nested thousands deep (RecursionError), an integer
    of thousands of digits (ValueError) or a lone surrogate escape ("\\ud800": valid JSON, yet no database
    can store it) would otherwise reach the 500 handler.
    """

    def _raw_load_json(self, req: Any) -> Any:
        try:
            data = super()._raw_load_json(req)
            if data is not missing:  # no JSON body at all: the schema decides whether that is fine
                json.dumps(data, ensure_ascii=False).encode("utf-8")
        except json.JSONDecodeError:
            raise  # webargs' own handling, which also treats an empty body as absent
        except (ValueError, RecursionError) as error:
            self._handle_invalid_json_error(error, req)
        return data


def reject_nul_in_url() -> None:
    """A before_request hook: %00 in the path or the query string is a 400, not a database error."""
    if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        raise BadRequest("The URL contains a NUL character (%00).")


class Blueprint(flask_smorest.Blueprint):
    """Every API blueprint parses request bodies with StrictJSONParser."""

    ARGUMENTS_PARSER = StrictJSONParser()

    def access(self, token: str, *errors: int, limited: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document an operation's security and the error answers it can give, beside its success response.

        ``token`` is "none", "optional" or "required" (see SECURITY); ``errors`` are the statuses its service
        can answer with. Any token can be refused (401) and every operation but the probes is rate limited
        (429), so those two are added here; smorest adds 422 itself wherever ``@blp.arguments`` parses input.
        """
        statuses = set(errors) | ({401} if token != "none" else set()) | ({429} if limited else set())

        def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
            method = self.doc(security=SECURITY[token])(method)
            for status in sorted(statuses):
                # A reference to smorest's component response for this status, whose body is Api.ERROR_SCHEMA.
                method = self.alt_response(status, response=HTTPStatus(status).name)(method)
            return method

        return decorate


def transactional(view: Callable[..., Any]) -> Callable[..., Any]:
    """One transaction per request: committed after the view succeeds, rolled back on any error."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        after_commit = db.session.info.pop("after_commit", [])
        for callback in after_commit:
            callback()
        return result

    return wrapper


class TransactionalView(MethodView):
    """Base view: one transaction per request, and writes need a token before the body is even parsed."""

    decorators = [transactional]
    anonymous_writes = False
    # Methods other than GET that only read: on SQLite they run without taking the write lock (see database.py).
    read_only_methods: frozenset[str] = frozenset()

    def dispatch_request(self, **kwargs: Any) -> Any:
        if request.method not in SAFE_METHODS and not self.anonymous_writes:
            required_actor()
        return super().dispatch_request(**kwargs)


def is_idempotent_replay() -> bool:
    """The request repeats an Idempotency-Key this user already completed: it is answered with the stored
    result and moves nothing, so it must not use up the limit a retrying client is most likely to be near."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from engagement.auth import optional_actor
    from engagement.errors import Unauthorized
    from engagement.models import IdempotencyRecord

    key = request.headers.get("Idempotency-Key")
    if not key:
        return False
    if "idempotent_replay" in g:  # asked once per limit; the answer does not change within a request
        return g.idempotent_replay
    g.idempotent_replay = False
    try:
        actor = optional_actor()
        if actor is None:
            return False
        found = db.session.scalar(
            select(IdempotencyRecord.key).where(IdempotencyRecord.user_id == actor.user_id, IdempotencyRecord.key == key).limit(1)
        )
    except (Unauthorized, SQLAlchemyError):
        return False  # the view answers the bad token or the database outage itself
    g.idempotent_replay = found is not None
    return g.idempotent_replay


def rate_limited(setting: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a MethodView method with a limit read from configuration by name.

    Keyed by user when authenticated, else by address. Bound to the decorated HTTP method only, and added
    to (not replacing) the per-address read limit, which applies to GETs alone. Every write also counts
    against RATELIMIT_WRITES_PER_ADDRESS, one budget per address across all routes, so fresh tokens from
    one address do not each get a fresh allowance. Idempotent replays count against neither.
    """

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        methods = [method.__name__.upper()]
        per_user = limiter.limit(
            lambda: current_app.config[setting],
            key_func=rate_limit_key,
            methods=methods,
            override_defaults=False,
            exempt_when=is_idempotent_replay,
        )
        per_address = limiter.shared_limit(
            lambda: current_app.config["RATELIMIT_WRITES_PER_ADDRESS"],
            scope="writes-per-address",
            key_func=client_address,
            methods=methods,
            override_defaults=False,
            exempt_when=is_idempotent_replay,
        )
        return per_address(per_user(method))

    return decorate


class RowIdConverter(IntegerConverter):
    """Every `<int:...>` in this API is a row id: positive and within the INTEGER column, else a 404."""

    def __init__(self, url_map: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_INTEGER, **kwargs)


class UserIdConverter(BaseConverter):
    """`<user_id:...>`: what a token's sub may be (1..64 printable characters), else a 404 from routing, the same
    on every database: PostgreSQL would refuse a longer id in a VARCHAR(64) with a 500, SQLite would store it."""

    def to_python(self, value: str) -> str:
        if not is_user_id(value):
            raise ValidationError()
        return value


api.register_converter(UserIdConverter, lambda _: {"type": "string", "minLength": 1, "maxLength": MAX_SUBJECT_LENGTH})


def register_blueprints(app: Flask) -> None:
    from engagement.api import (
        articles,
        author_history,
        comments,
        docs,
        health,
        moderation,
        pins,
        reposts,
        rewards,
        shares,
        wallets,
        wordlists,
    )

    # Replaces werkzeug's unbounded "int" before any rule is built; route strings (and metric labels) stay.
    app.url_map.converters["int"] = RowIdConverter
    app.url_map.converters["user_id"] = UserIdConverter
    app.before_request(reject_nul_in_url)
    for module in (health, articles, comments, moderation, author_history, wordlists, rewards, wallets, reposts, shares, pins):
        api.register_blueprint(module.blp)
    # A plain Flask blueprint: static files, not part of the OpenAPI document.
    app.register_blueprint(docs.blp)
