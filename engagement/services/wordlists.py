"""The word lists: banned and suspect terms admins manage, and the matchers the pipeline screens with."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engagement.auth import Actor
from engagement.errors import Conflict, NotFound, Unprocessable
from engagement.extensions import db
from engagement.models import AuditLogEntry, ModerationTerm, WordList
from engagement.models.wordlists import ALL_LANGUAGES
from engagement.moderation.normalize import normalize_for_scoring
from engagement.moderation.terms import Term, TermMatcher
from engagement.moderation.pipeline import WordLists
from engagement.pagination import Page, decode_cursor, encode_cursor
from engagement.services.audit import record_audit
from engagement.services.users import require_admin, require_moderator, user_for

TERM_ACTIONS = ("term_added", "term_removed")


def list_terms(
    actor: Actor, word_list: str | None = None, language: str | None = None, limit: int = 100, cursor: str | None = None
) -> Page[ModerationTerm]:
    """Moderators read the lists (they see why a text was held); admins change them."""
    require_moderator(actor)
    query = select(ModerationTerm)
    if word_list:
        query = query.where(ModerationTerm.list == word_list)
    if language is not None:
        query = query.where(ModerationTerm.language == language)
    if cursor:
        query = query.where(ModerationTerm.id > decode_cursor(cursor, int)[0])
    rows = list(db.session.scalars(query.order_by(ModerationTerm.id).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return Page(rows[:limit], next_cursor)


def add_term(actor: Actor, word_list: str, term: str, language: str | None) -> ModerationTerm:
    require_admin(actor, "Only admins can change the word lists.")
    admin = user_for(actor)
    if not any(character.isalnum() for character in normalize_for_scoring(term)):
        raise Unprocessable("The term has no letters or digits once normalized.", errors={"term": ["Nothing left to match."]})
    entry = ModerationTerm(list=word_list, term=term, language=language or ALL_LANGUAGES, created_by_id=admin.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise Conflict(f"'{term}' is already on the {word_list} list for that language.") from None
    record_audit(
        "term_added", "term", entry.id, actor_id=admin.id, details={"list": word_list, "term": term, "language": language}
    )
    return entry


def remove_term(actor: Actor, term_id: int) -> None:
    require_admin(actor, "Only admins can change the word lists.")
    admin = user_for(actor)
    entry = db.session.get(ModerationTerm, term_id)
    if entry is None:
        raise NotFound(f"Term {term_id} does not exist.")
    record_audit(
        "term_removed",
        "term",
        entry.id,
        actor_id=admin.id,
        details={"list": entry.list, "term": entry.term, "language": entry.language or None},
    )
    db.session.delete(entry)


class _MatcherCache:
    """Compiled matchers per process, rebuilt when the audit log shows a list changed (in any process).

    The revision is the id of the latest term change in the append-only audit log: one indexed lookup per
    screened text instead of loading and compiling every term.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[str, tuple[int, WordLists]] = {}

    def get(self, database_key: str) -> WordLists:
        revision = db.session.scalar(
            select(func.coalesce(func.max(AuditLogEntry.id), 0)).where(AuditLogEntry.action.in_(TERM_ACTIONS))
        )
        cached = self._built.get(database_key)
        if cached is not None and cached[0] == revision:
            return cached[1]
        rows = db.session.execute(select(ModerationTerm.list, ModerationTerm.term, ModerationTerm.language)).all()
        terms: dict[str, list[Term]] = {WordList.BANNED: [], WordList.SUSPECT: []}
        for word_list, term, language in rows:
            terms[word_list].append(Term(term, language or None))
        built = WordLists(
            TermMatcher(terms[WordList.BANNED], normalize_for_scoring),
            TermMatcher(terms[WordList.SUSPECT], normalize_for_scoring),
        )
        with self._lock:
            self._built[database_key] = (revision, built)
        return built


_cache = _MatcherCache()


def current_word_lists() -> WordLists:
    """The word lists as they stand in this request's database."""
    return _cache.get(str(db.engine.url))
