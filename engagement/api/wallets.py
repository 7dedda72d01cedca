"""Wallets: admins and services credit a user; a user reads their balances and ledger."""

from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.common import IdempotencyHeaderSchema, PageQueryArgsSchema
from engagement.api.schemas.wallets import CreditCreateSchema, LedgerEntrySchema, WalletSchema
from engagement.auth import required_actor
from engagement.services import rewards as reward_service

blp = Blueprint("wallets", __name__, url_prefix="/api/v1", description="Wallets: credits, balances and the ledger.")


@blp.route("/admin/users/<user_id:user_id>/credits")
class CreditsView(TransactionalView):
    @rate_limited("RATELIMIT_ADMIN")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(CreditCreateSchema)
    @blp.response(201, LedgerEntrySchema)
    @blp.access("required", 400, 403, 404, 428)
    def post(self, headers, data, user_id: str):
        """Credit a user's wallet (admins and service tokens); needs an Idempotency-Key."""
        return reward_service.credit_user(
            required_actor(), user_id, data["amount"], data["currency"], headers["idempotency_key"], data["note"]
        )


@blp.route("/me/wallet")
class WalletView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, WalletSchema)
    @blp.access("required")
    def get(self, args):
        """Your balances and ledger entries, newest first."""
        return reward_service.wallet_for(required_actor(), args["limit"], args["cursor"])
