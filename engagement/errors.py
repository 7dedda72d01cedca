"""Domain errors, and the one place that renders every error as JSON ``{code, status, message, errors?}``.

That place is flask-smorest's own error path: :class:`Api` (the ``api`` extension) renders every
``HTTPException`` in ``handle_http_exception``, documents the same shape as ``ERROR_SCHEMA`` in OpenAPI, and
registers the handlers for what is not an ``HTTPException`` (domain errors, database errors, the unexpected).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import jsonify
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken; services raise these and never build HTTP responses."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PreconditionRequired(DomainError):
    status = 428


class Unprocessable(DomainError):
    status = 422


def error_response(status: int, message: str, errors: Any = None, headers: dict[str, str] | None = None):
    payload: dict[str, Any] = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _handle_domain_error(error: DomainError):
    return error_response(error.status, error.message, error.errors, error.headers)


def _render_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    message = data.get("message") or error.description or HTTPStatus(error.code or 500).phrase
    errors = data.get("messages") or data.get("errors")
    if errors and set(errors) <= {"json", "query", "headers", "path", "form", "view_args"} and len(errors) == 1:
        # webargs nests errors by location; a single location adds nothing for the client.
        errors = next(iter(errors.values()))
    if error.code == 400 and errors:
        message = "The request body is not valid JSON."
    if error.code == 422 and not data.get("message"):
        message = "The request was well-formed but its content is invalid."
    if error.code == 429:
        message = f"Rate limit exceeded: {error.description}"
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    return error_response(error.code or 500, message, errors, headers)


def _handle_integrity_error(error: IntegrityError):
    logger.info("integrity error turned into 409: %s", error.orig)
    return error_response(409, "The request conflicts with the current state of the resource.")


def _handle_operational_error(error: OperationalError):
    logger.error("database unavailable: %s", error.orig)
    return error_response(503, "The database is unavailable; try again shortly.", headers={"Retry-After": "5"})


def _handle_unexpected(error: Exception):
    logger.exception("unhandled error")
    return error_response(500, "An unexpected error occurred; it has been logged.")


class ErrorSchema(Schema):
    """The body of every error answer (documentation only: error_response builds it)."""

    code = fields.Integer(metadata={"description": "The HTTP status code."})
    status = fields.String(metadata={"description": "The status's reason phrase."})
    message = fields.String(metadata={"description": "What went wrong, for a person."})
    errors = fields.Raw(
        metadata={"description": "Per-field messages (an object), or a list of messages; only when there are any."}
    )


class Api(flask_smorest.Api):
    """flask-smorest's Api, rendering errors as this project does, through smorest's own hooks."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        return _render_http_exception(error)

    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()  # HTTPException (abort, webargs' 422, 404, 405, 413, 429...)
        self._app.register_error_handler(DomainError, _handle_domain_error)
        self._app.register_error_handler(IntegrityError, _handle_integrity_error)
        self._app.register_error_handler(OperationalError, _handle_operational_error)
        self._app.register_error_handler(Exception, _handle_unexpected)
