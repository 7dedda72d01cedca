"""users.banned_by_role: the role a ban was placed with (only an admin's ban binds a moderator or an admin)

Revision ID: 3c1d5e7a9b20
Revises: 39250bb31f21
Create Date: 2026-11-29 02:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d5e7a9b20'
down_revision = '39250bb31f21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('banned_by_role', sa.String(length=16), nullable=True))
    # Bans already placed: the role their placer has now is the best record there is.
    op.execute(
        "UPDATE users SET banned_by_role = (SELECT placer.role FROM users AS placer WHERE placer.id = users.banned_by_id) "
        "WHERE banned_by_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('banned_by_role')
