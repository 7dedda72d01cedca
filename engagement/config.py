"""Settings from ``ENGAGEMENT_*`` environment variables, layered over embedded defaults.

Imports nothing from ``engagement`` so it can be read by gunicorn's config and the CLI alike.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

# Hold thresholds used when neither the environment nor the model says otherwise. Any score at or above
# its label's threshold holds the text for a moderator.
DEFAULT_HOLD_THRESHOLDS: dict[str, float] = {
    "toxicity": 0.5,
    "severe_toxicity": 0.3,
    "obscene": 0.6,
    "threat": 0.4,
    "insult": 0.5,
    "identity_attack": 0.4,
    "sexual_explicit": 0.5,
}

DEFAULT_RATE_LIMITS: dict[str, str] = {
    "RATELIMIT_COMMENTS": "5/minute;100/day",
    "RATELIMIT_LIKES": "60/minute",
    "RATELIMIT_WRITES": "60/minute",
    # Every write from one address, whatever the token: many fresh tokens from one address share it.
    "RATELIMIT_WRITES_PER_ADDRESS": "60/minute;600/hour",
    "RATELIMIT_REPORTS": "10/hour",
    "RATELIMIT_READS": "600/minute",
    "RATELIMIT_MODERATION": "120/minute",
    "RATELIMIT_ADMIN": "120/minute",
    "RATELIMIT_REWARDS": "10/minute",
    "RATELIMIT_REPOSTS": "10/minute",
    "RATELIMIT_SHARES": "30/minute",
    "RATELIMIT_PINS": "60/minute",
}


def parse_thresholds(raw: str) -> dict[str, float]:
    """Parse ``label=0.6,threat=0.4`` into a mapping; raise ValueError naming the bad part."""
    thresholds: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        label, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"threshold {part!r} is not label=value")
        number = float(value)
        if not 0.0 < number <= 1.0:
            raise ValueError(f"threshold for {label.strip()!r} must be in (0, 1], got {value}")
        thresholds[label.strip()] = number
    return thresholds


def parse_optional_float(raw: str) -> float | None:
    return float(raw) if raw.strip() else None


def parse_bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_origins(raw: str) -> list[str]:
    """Exact origins (``https://news.example``), comma-separated; a path or a wildcard is refused.

    Origins are compared exactly (scheme, host and port), never as patterns.
    """
    origins = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        parts = urlsplit(item)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or "*" in item
            or "@" in parts.netloc
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
        ):
            raise ValueError(f"{item!r} is not an origin like https://news.example or http://localhost:8080")
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return origins


def parse_moderation_runtime(raw: str) -> str:
    """``onnx`` | ``onnx-int8`` | ``detoxify``: what runs the embedded model (engagement.moderation.scoring)."""
    value = raw.strip().lower()
    if value not in ("onnx", "onnx-int8", "detoxify"):
        raise ValueError(f"must be onnx, onnx-int8 or detoxify, got {raw!r}")
    return value


def parse_scoring(raw: str) -> str:
    """``process`` | ``inline``: where the toxicity model runs (engagement.moderation.scoring_server)."""
    value = raw.strip().lower()
    if value not in ("process", "inline"):
        raise ValueError(f"must be process or inline, got {raw!r}")
    return value


def parse_positive_int(raw: str) -> int:
    number = int(raw)
    if number < 1:
        raise ValueError(f"must be at least 1, got {number}")
    return number


# name -> (default, parser); the environment variable is ENGAGEMENT_<name>.
_SETTINGS: dict[str, tuple[str, Any]] = {
    "ENV": ("development", str),
    "DATABASE_URL": ("", str),
    "JWT_SECRET": ("", str),
    # The host's own public key (PEM text or a file path) or JWKS file, for RS256/ES256 tokens it signs.
    "JWT_PUBLIC_KEY": ("", str),
    "JWT_JWKS_FILE": ("", str),
    # When set, every token must carry this iss / aud.
    "JWT_ISSUER": ("", str),
    "JWT_AUDIENCE": ("", str),
    # Empty: a SQLite file in the instance folder, shared by the workers of one machine (engagement.ratelimit).
    "RATELIMIT_STORAGE_URI": ("", str),
    "RATELIMIT_ENABLED": ("true", parse_bool),
    "TRUSTED_PROXIES": ("", parse_list),
    # Origins whose pages may call the API from a browser (the widgets); none by default.
    "CORS_ORIGINS": ("", parse_origins),
    "CORS_MAX_AGE": ("600", parse_positive_int),
    "MODERATION_MODE": ("inline", str),
    "MODERATION_MODEL": ("embedded", str),
    # The embedded model on ONNX Runtime (no torch in the process) or on Detoxify, the reference runtime.
    "MODERATION_RUNTIME": ("onnx", parse_moderation_runtime),
    "MODERATION_LOAD": ("eager", str),
    # Where the model runs: `process` (one scoring process per machine serves every web worker over a Unix
    # socket; gunicorn.conf.py makes it the default and starts that process) or `inline` (each process loads
    # its own: tests, commands, queue workers).
    "MODERATION_SCORING": ("inline", parse_scoring),
    # Empty: scorer.sock in the instance folder.
    "MODERATION_SCORER_SOCKET": ("", str),
    # Seconds a web worker waits for one answer of the scoring process before holding the text.
    "MODERATION_SCORER_TIMEOUT": ("10", float),
    # Seconds a starting worker waits for the scoring process to answer (it may be loading the model).
    "MODERATION_SCORER_WAIT": ("60", float),
    "MODERATION_CHECKPOINT": ("", str),
    "MODERATION_HF_CONFIG": ("", str),
    "MODERATION_THREADS": ("1", int),
    "MODERATION_BATCH_WAIT_MS": ("5", float),
    "MODERATION_MAX_BATCH": ("32", int),
    "MODERATION_DEADLINE": ("300", int),
    "MODERATION_THREAT_PHRASES": ("true", parse_bool),
    # The pipeline: the phases that run, in order (engagement/moderation/phases.py), and each phase's knobs.
    "MODERATION_PHASES": (
        "word_lists,language,recent_history,repeats,links,spam_model,threats,multilingual,toxicity",
        parse_list,
    ),
    # Texts in a language no model here reads (not en, zh, de, ko, ru): hold for a moderator, or score (word
    # lists and the other phases decide). Per language: "es:score,pt:score". See docs/multilingual-moderation.md.
    "UNCOVERED_LANGUAGE": ("hold", str),
    "UNCOVERED_LANGUAGE_OVERRIDES": ("es:score,pt:score,fr:score", parse_list),
    "MODERATION_NEW_COMMENTER_APPROVALS": ("3", int),
    # Approved comments (or published for MODERATION_TRUSTED_AGE_HOURS) after which links no longer hold text.
    "MODERATION_TRUSTED_AFTER": ("3", int),
    "MODERATION_TRUSTED_AGE_HOURS": ("24", int),
    "MODERATION_LINK_ALLOWLIST": ("", parse_list),
    "MODERATION_HISTORY_WINDOW_HOURS": ("168", int),
    "MODERATION_HISTORY_MAX_REJECTIONS": ("3", int),
    "MODERATION_REPEAT_WINDOW_MINUTES": ("60", int),
    "MODERATION_REPEAT_MAX": ("1", int),
    "MODERATION_FLOOD_AUTHORS": ("3", int),
    # Empty: the spam model's own validated threshold.
    "MODERATION_SPAM_THRESHOLD": ("", parse_optional_float),
    "MODERATION_INVITE_SPAM_THRESHOLD": ("0.3", float),
    "MODERATION_SPAM_MIN_WORDS": ("3", int),
    # Harsh words about officials and companies that address no one and call no one names are not held.
    "MODERATION_CIVIL_CRITICISM": ("true", parse_bool),
    "HOLD_THRESHOLDS": ("", parse_thresholds),
    "REJECT_THRESHOLD": ("0.95", parse_optional_float),
    "REPORTS_TO_REVIEW": ("3", int),
    "EDIT_WINDOW": ("900", int),
    "MAX_PINNED_COMMENTS": ("1", int),
    "REWARD_CURRENCIES": ("PTS", parse_list),
    "REWARD_MAX_AMOUNT": ("100000", int),
    "SHARE_CHANNELS": ("x,telegram,facebook,linkedin,reddit,whatsapp,email,copy_link", parse_list),
    "REDIS_URL": ("redis://127.0.0.1:6379/0", str),
    # A retention of 0 days would delete everything at the next prune: refused at start-up.
    "RETENTION_SHARE_EVENT_DAYS": ("400", parse_positive_int),
    "RETENTION_IDEMPOTENCY_DAYS": ("30", parse_positive_int),
    **{name: (value, str) for name, value in DEFAULT_RATE_LIMITS.items()},
}


def load_settings(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from the environment, falling back to the embedded default."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for name, (default, parse) in _SETTINGS.items():
        raw = environ.get(f"ENGAGEMENT_{name}", default)
        try:
            settings[name] = parse(raw)
        except ValueError as error:
            raise ValueError(f"ENGAGEMENT_{name}: {error}") from None
    return settings


class Config:
    """Flask settings that do not come from the environment."""

    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = 16 * 1024
    # A pooled connection that died with a database restart is replaced before use, not failed in a request.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    API_TITLE = "engagement"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    # A bearer scheme, optional everywhere (reads are anonymous): Swagger UI's Authorize button sends it.
    API_SPEC_OPTIONS = {
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"bearerAuth": []}, {}],
    }
    OPENAPI_JSON_PATH = "openapi.json"
    # Swagger UI (with "try it out") from assets the app serves itself: see engagement/api/docs.py.
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
    OPENAPI_SWAGGER_UI_CONFIG = {"deepLinking": True, "displayRequestDuration": True}
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_HEADER_RETRY_AFTER = "X-RateLimit-Retry-After"  # renamed to Retry-After on 429 only (engagement.ratelimit)
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    COMMENT_MAX_LENGTH = 400
    JWT_ALGORITHM = "HS256"
