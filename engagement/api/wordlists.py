from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.wordlists import TermCreateSchema, TermPageSchema, TermQueryArgsSchema, TermSchema
from engagement.auth import required_actor
from engagement.services import wordlists as wordlist_service

blp = Blueprint(
    "wordlists",
    __name__,
    url_prefix="/api/v1/moderation/terms",
    description="The word lists: banned terms reject a text, suspect terms hold it for a moderator.",
)


@blp.route("")
class TermsView(TransactionalView):
    @blp.arguments(TermQueryArgsSchema, location="query")
    @blp.response(200, TermPageSchema)
    @blp.access("required", 403)
    def get(self, args):
        """List banned and suspect terms (moderators and admins), filtered by list and language."""
        return wordlist_service.list_terms(
            required_actor(), args["list"], args["language"], args["limit"], args["cursor"]
        )

    @rate_limited("RATELIMIT_ADMIN")
    @blp.arguments(TermCreateSchema)
    @blp.response(201, TermSchema)
    @blp.access("required", 403, 409)
    def post(self, data):
        """Add a term to a list (admins); matched on evasion-normalized text, audited."""
        return wordlist_service.add_term(required_actor(), data["list"], data["term"], data["language"])


@blp.route("/<int:term_id>")
class TermView(TransactionalView):
    @rate_limited("RATELIMIT_ADMIN")
    @blp.response(204)
    @blp.access("required", 403, 404)
    def delete(self, term_id: int):
        """Remove a term (admins); audited."""
        wordlist_service.remove_term(required_actor(), term_id)
