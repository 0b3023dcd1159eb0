"""Packing slips: one per order with what the packer needs, the batch of orders waiting, packing it in one action."""
import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import AuditEntry, Order, OutboxMessage
from tests.admin_support import paid_order
from tests.factories import make_cohort, make_product, make_user


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff", full_name="Aigerim Nurlanovna")
    login_as(user)
    return user


def test_a_packing_slip_shows_buyer_phone_delivery_lines_and_notes(app, client, staff):
    order = paid_order(app, make_product(stock=5, name="Basil starter kit"), 3, full_name="Yerlan Zhumabayev",
                       phone="+7 702 444 55 66", delivery="courier")
    client.post(f"/admin/orders/{order.id}/notes", data={"body": "Fragile: pack the pots upright"})
    page = client.get(f"/admin/orders/{order.id}/slip").get_data(as_text=True)
    for text in (f"Order {order.number}", "Yerlan Zhumabayev", "+7 702 444 55 66", 'href="tel:+77024445566"',
                 "Courier", order.address, "Basil starter kit", "<strong>3</strong>", "Fragile: pack the pots upright",
                 "css/slips.css"):
        assert text in page, text
    assert 'class="admin-nav"' not in page  # nothing but the slip is printed
    assert client.get("/admin/orders/999999/slip").status_code == 404


def test_the_batch_lists_only_orders_waiting_to_be_packed_one_slip_each(app, client, staff):
    first = paid_order(app, make_product(stock=5), 1, full_name="First Buyer")
    second = paid_order(app, make_product(stock=5), 2, full_name="Second Buyer", delivery="pickup")
    done = paid_order(app, make_product(stock=5), 1, full_name="Already Packed")
    seats_only = paid_order(app, cohort=make_cohort(), full_name="Only A Learner", delivery="pickup")
    client.post(f"/admin/orders/{done.id}/status", data={"to_status": "packed"})
    page = client.get("/admin/packing/").get_data(as_text=True)
    assert "First Buyer" in page and "Second Buyer" in page
    assert "Already Packed" not in page and "Only A Learner" not in page
    assert page.count('class="slip"') == 2 and "2 orders to pack" in page
    assert f'name="order" value="{first.id}"' in page and f'name="order" value="{second.id}"' in page
    assert seats_only.payment_status == "paid"


def test_the_printed_batch_is_marked_packed_in_one_action_and_nothing_else(app, client, staff):
    first = paid_order(app, make_product(stock=5), 1)
    second = paid_order(app, make_product(stock=5), 1)
    later = paid_order(app, make_product(stock=5), 1)  # paid after the batch was printed: not on it
    assert client.post("/admin/packing/", data={"order": [first.id, second.id]}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, first.id).fulfilment_status == "unfulfilled"  # refused without its confirmation
    response = client.post("/admin/packing/", data={"order": [first.id, second.id], "confirm": "1"},
                           follow_redirects=True)
    assert "2 orders marked packed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Order, o.id).fulfilment_status for o in (first, second, later)] == [
        "packed", "packed", "unfulfilled"]
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "order.status")).all()) == 2
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == first.email)
                             .order_by(OutboxMessage.id.desc()).limit(1)) is not None
    again = client.post("/admin/packing/", data={"order": [first.id], "confirm": "1"}, follow_redirects=True)
    assert "moved on meanwhile" in again.get_data(as_text=True)
