"""two states per order: payment and fulfilment

An order's one status said either how its payment stood or how far its parcel got, so a partial refund of a
shipped order hid that it had shipped. Now `status` becomes `payment_status` (pending_payment, paid,
partially_refunded, refunded, cancelled) and `fulfilment_status` (unfulfilled, packed, shipped, delivered,
ready_for_pickup, picked_up) is added; each history event says which of the two it moved (`kind`: payment,
fulfilment, or note for a remark that moved neither).

Existing orders: a packed, shipped, delivered, ready-for-pickup or picked-up order is paid with that
fulfilment; a refunded or partially refunded order keeps the fulfilment its history last recorded (unfulfilled
when none); the others are unfulfilled. Each event gets its kind, and its ``from_status`` is the state it moved
on its own axis. The downgrade folds the two states back into one (a refund outranks a fulfilment, as before).

Revision ID: 6a3564550225
Revises: b51fe40e55a9
Create Date: 2026-11-30 01:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a3564550225'
down_revision = 'b51fe40e55a9'
branch_labels = None
depends_on = None

FULFILMENT = ("packed", "shipped", "delivered", "ready_for_pickup", "picked_up")
REFUNDS = ("refunded", "partially_refunded")

orders = sa.table("shop_order", sa.column("id", sa.Integer), sa.column("payment_status", sa.String),
                  sa.column("fulfilment_status", sa.String))
events = sa.table("order_event", sa.column("id", sa.Integer), sa.column("order_id", sa.Integer),
                  sa.column("kind", sa.String), sa.column("from_status", sa.String),
                  sa.column("to_status", sa.String))


def split_history(old_status: str, history: list[tuple[int, str | None, str]]) -> tuple[str, str, list[tuple]]:
    """Return an order's payment and fulfilment states and its events as (id, kind, from_status), from its old
    status and its events (id, from_status, to_status) in order."""
    payment, fulfilment, rewritten = "pending_payment", "unfulfilled", []
    for event_id, from_status, to_status in history:
        if from_status == to_status:
            rewritten.append((event_id, "note", payment))
        elif to_status in FULFILMENT:
            rewritten.append((event_id, "fulfilment", fulfilment))
            fulfilment = to_status
        else:
            rewritten.append((event_id, "payment", payment))
            payment = to_status
    if old_status in FULFILMENT:
        return "paid", old_status, rewritten
    return old_status, fulfilment if old_status in REFUNDS else "unfulfilled", rewritten


def upgrade():
    # Renamed in place, not by copying the table (SQLite's batch mode would drop it, and with it, by their
    # ON DELETE CASCADE, every order's lines and history)
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_index('ix_shop_order_status')
    op.execute("ALTER TABLE shop_order RENAME COLUMN status TO payment_status")
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fulfilment_status', sa.String(length=30), server_default='unfulfilled',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_shop_order_payment_status'), ['payment_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_order_fulfilment_status'), ['fulfilment_status'], unique=False)
    with op.batch_alter_table('order_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='payment', nullable=False))

    bind = op.get_bind()
    history: dict[int, list] = {}
    for row in bind.execute(sa.select(events.c.id, events.c.order_id, events.c.from_status, events.c.to_status)
                            .order_by(events.c.order_id, events.c.id)):
        history.setdefault(row.order_id, []).append((row.id, row.from_status, row.to_status))
    for order_id, old_status in bind.execute(sa.select(orders.c.id, orders.c.payment_status)).all():
        payment, fulfilment, rewritten = split_history(old_status, history.get(order_id, []))
        bind.execute(orders.update().where(orders.c.id == order_id)
                     .values(payment_status=payment, fulfilment_status=fulfilment))
        for event_id, kind, from_status in rewritten:
            bind.execute(events.update().where(events.c.id == event_id).values(kind=kind, from_status=from_status))


def downgrade():
    op.execute("UPDATE shop_order SET payment_status = fulfilment_status "
               "WHERE payment_status = 'paid' AND fulfilment_status <> 'unfulfilled'")
    op.execute("UPDATE order_event SET from_status = 'paid' WHERE kind = 'fulfilment' AND from_status = 'unfulfilled'")
    op.execute("ALTER TABLE order_event DROP COLUMN kind")
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_order_fulfilment_status'))
        batch_op.drop_index(batch_op.f('ix_shop_order_payment_status'))
    op.execute("ALTER TABLE shop_order DROP COLUMN fulfilment_status")
    op.execute("ALTER TABLE shop_order RENAME COLUMN payment_status TO status")
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.create_index('ix_shop_order_status', ['status'], unique=False)
