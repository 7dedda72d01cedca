from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"
    # The host platform's back office: may credit wallets, nothing else.
    SERVICE = "service"

    @property
    def can_moderate(self) -> bool:
        return self in (Role.MODERATOR, Role.ADMIN)


class User(db.Model):
    """A person known by the host platform's id; created on their first authenticated call."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[Optional[str]] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16), default=Role.USER.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    banned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    banned_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    ban_reason: Mapped[Optional[str]] = mapped_column(String(500))
    banned_by_id: Mapped[Optional[str]] = mapped_column(String(64))
    # The placer's role when the ban was placed: a moderator may ban an id whose row does not know yet that
    # it belongs to an admin, and such a ban must not bind once the id arrives with an admin's token.
    banned_by_role: Mapped[Optional[str]] = mapped_column(String(16))

    def is_banned(self, now: datetime | None = None) -> bool:
        if self.banned_at is None:
            return False
        return self.banned_until is None or self.banned_until > (now or utcnow())

    def ban_binds(self, role: Role, now: datetime | None = None) -> bool:
        """Whether the ban stops someone acting with ``role``: only an admin's ban stops a moderator or an admin."""
        if not self.is_banned(now):
            return False
        return not role.can_moderate or self.banned_by_role == Role.ADMIN.value
