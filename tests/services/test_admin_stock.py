"""The stock ledger as staff use it: receive, write off, count; append-only; concurrent receipts; low-stock e-mail."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.admin.stock import ledger, live_holds, low_stock, receive_delivery, record_count, write_off_units
from shop.clock import utcnow
from shop.database import unit_of_work
from shop.errors import StockConflict
from shop.extensions import db
from shop.inventory.services import hold_stock, lock_rows
from shop.models import AuditEntry, OutboxMessage, Product, StockMovement
from tests.factories import make_product, make_user
from tests.views.helpers import add, pay_dummy


def _hold(product, quantity, now):
    with unit_of_work():
        lock_rows([product.id])
        hold_stock(product, quantity, expires_at=now + timedelta(minutes=30), now=now)


def test_receiving_records_the_supplier_note_who_and_the_level_after(app, now):
    product, staff = make_product(stock=4), make_user(role="staff")
    movement = receive_delivery(product.id, 6, note="Greenhouse Ltd, invoice 17", actor_id=staff.id, now=now)
    assert (movement.kind, movement.delta, movement.level_after, movement.actor_id) == ("received", 6, 10, staff.id)
    assert movement.reason == "Greenhouse Ltd, invoice 17"
    assert db.session.get(Product, product.id).on_hand == 10


def test_writing_off_records_the_reason_and_lowers_stock(app, now):
    product = make_product(stock=5)
    movement = write_off_units(product.id, 2, reason="Mould on the seed trays", actor_id=None, now=now)
    assert (movement.kind, movement.delta, movement.level_after, movement.reason) == ("written_off", -2, 3,
                                                                                     "Mould on the seed trays")


def test_a_stock_take_sets_the_count_and_records_the_difference(app, now):
    product = make_product(stock=9)
    movement = record_count(product.id, 7, note="Monthly count", actor_id=None, now=now)
    assert (movement.kind, movement.delta, movement.level_after) == ("counted", -2, 7)
    assert record_count(product.id, 12, note="", actor_id=None, now=now).delta == 5


def test_write_off_below_what_open_orders_hold_is_refused_and_changes_nothing(app, now):
    product = make_product(stock=5)
    _hold(product, 4, now)
    with pytest.raises(StockConflict):
        write_off_units(product.id, 2, reason="Broken", actor_id=None, now=now)
    assert db.session.get(Product, product.id).on_hand == 5
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_count_below_what_is_held_is_refused(app, now):
    product = make_product(stock=5)
    _hold(product, 3, now)
    with pytest.raises(StockConflict):
        record_count(product.id, 2, note="", actor_id=None, now=now)
    assert record_count(product.id, 3, note="", actor_id=None, now=now).level_after == 3


def test_stock_cannot_be_written_off_below_zero(app, now):
    product = make_product(stock=1)
    with pytest.raises(StockConflict):
        write_off_units(product.id, 2, reason="Lost", actor_id=None, now=now)


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_ledger_is_append_only(app, now, change):
    movement = receive_delivery(make_product(stock=0).id, 3, note="x", actor_id=None, now=now)
    with pytest.raises(RuntimeError, match="ledger"):
        with unit_of_work():
            row = db.session.get(StockMovement, movement.id)
            if change == "update":
                row.delta = 300
            else:
                db.session.delete(row)
    assert db.session.get(StockMovement, movement.id).delta == 3


def test_every_stock_change_is_in_the_audit_log_with_its_actor(app, now):
    product, staff = make_product(stock=0), make_user(role="staff")
    receive_delivery(product.id, 5, note="Delivery", actor_id=staff.id, now=now)
    write_off_units(product.id, 1, reason="Torn", actor_id=staff.id, now=now)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.target) for e in entries] == [
        ("stock.received", staff.id, f"product:{product.id}"), ("stock.written_off", staff.id, f"product:{product.id}")]


def test_the_product_page_lists_its_ledger_newest_first_and_its_live_holds(app, now):
    product = make_product(stock=5)
    receive_delivery(product.id, 2, note="More", actor_id=None, now=now)
    _hold(product, 3, now)
    assert [m.delta for m in ledger(product.id)] == [2, 5]
    assert [(h.quantity, h.order) for h in live_holds(product.id, now)] == [(3, None)]
    assert live_holds(product.id, now + timedelta(hours=1)) == []


def test_low_stock_lists_active_products_at_or_below_their_threshold(app, now):
    at = make_product(stock=3, threshold=3)
    below = make_product(stock=1, threshold=3)
    make_product(stock=4, threshold=3)
    make_product(stock=0, threshold=3, is_active=False)
    assert [level.product.id for level in low_stock(now)] == [below.id, at.id]


def test_two_staff_receiving_at_the_same_moment_both_count(app):
    product = make_product(stock=2)
    product_id = product.id
    db.session.remove()
    barrier = threading.Barrier(2)

    def receive(quantity):
        with app.app_context():
            barrier.wait()
            try:
                return receive_delivery(product_id, quantity, note=f"Delivery of {quantity}", actor_id=None,
                                        now=utcnow()).level_after
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        levels = sorted(pool.map(receive, [5, 7]))
    assert db.session.get(Product, product_id).on_hand == 14
    assert levels in ([7, 14], [9, 14])
    receipts = db.session.scalars(select(StockMovement.level_after).where(StockMovement.product_id == product_id)
                                  .order_by(StockMovement.id)).all()
    assert receipts[0] == 2 and receipts[-1] == 14 and len(receipts) == 3


def _low_stock_mail():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("low-stock:"))).all()


def test_staff_get_one_email_when_a_product_falls_to_its_threshold_not_one_per_sale(app, client, now):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    product = make_product(stock=5, threshold=3, name="Basil kit")
    write_off_units(product.id, 1, reason="Torn box", actor_id=None, now=now)  # 4: still above
    assert _low_stock_mail() == []
    for _ in range(3):  # 3 (crosses), 2, 1: three sales, one e-mail
        add(client, product, 1)
        pay_dummy(client)
    mails = _low_stock_mail()
    assert len(mails) == 1
    assert mails[0].recipient == app.config["STAFF_EMAIL"]
    assert "Basil kit" in mails[0].subject and f"/admin/products/{product.id}" in mails[0].body_text


def test_a_product_restocked_above_its_threshold_warns_again_when_it_falls_again(app, now):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    product = make_product(stock=4, threshold=3)
    write_off_units(product.id, 2, reason="Spoiled", actor_id=None, now=now)
    record_count(product.id, 1, note="", actor_id=None, now=now)
    receive_delivery(product.id, 9, note="Delivery", actor_id=None, now=now)
    write_off_units(product.id, 7, reason="Spoiled", actor_id=None, now=now)
    assert len(_low_stock_mail()) == 2


def test_a_product_off_sale_sends_no_low_stock_email(app, now):
    product = make_product(stock=5, threshold=3, is_active=False)
    write_off_units(product.id, 4, reason="Season over", actor_id=None, now=now)
    assert _low_stock_mail() == []
