"""Extensions created unbound and bound to the app in ``create_app``."""

from flask import current_app, request
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from engagement.addresses import client_address
from engagement.errors import Api
import engagement.ratelimit  # noqa: F401  registers the sqlite:// rate limit storage with `limits`

# A naming convention keeps constraint names stable across SQLite and PostgreSQL migrations.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
api = Api()


def _is_not_read() -> bool:
    return request.method not in ("GET", "HEAD")


def _reads_limit() -> str:
    return current_app.config["RATELIMIT_READS"]


# The default (read) limit is per address; named write limits are keyed by user (auth.rate_limit_key,
# see api.rate_limited).
limiter = Limiter(
    key_func=client_address,
    default_limits=[_reads_limit],
    default_limits_exempt_when=_is_not_read,
)
