"""Internal notes on orders and customers: kept with author and time, shown to staff, never to the buyer."""
import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import AuditEntry, StaffNote
from tests.admin_support import paid_order
from tests.factories import make_product, make_user


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff", full_name="Aigerim Nurlanovna")
    login_as(user)
    return user


def test_a_note_on_an_order_shows_its_author_and_time_to_staff_only(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1, email="buyer@example.kz")
    response = client.post(f"/admin/orders/{order.id}/notes",
                           data={"body": "Call before delivery:\nthe gate is locked"})
    assert response.status_code == 303
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "Internal notes" in page and "the gate is locked" in page and "Aigerim Nurlanovna" in page
    note = db.session.scalar(select(StaffNote))
    assert (note.order_id, note.author_id, note.customer_email) == (order.id, staff.id, None)
    assert note.created_at is not None
    assert db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "note.add")) == \
        f"order:{order.public_id}"
    buyer = app.test_client()
    assert "the gate is locked" not in buyer.get(f"/en/orders/{order.public_id}").get_data(as_text=True)


def test_an_empty_note_is_refused_with_a_message(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1)
    response = client.post(f"/admin/orders/{order.id}/notes", data={"body": "   "})
    assert response.status_code == 400 and db.session.scalar(select(StaffNote.id)) is None
    assert client.post("/admin/orders/999999/notes", data={"body": "x"}).status_code == 404


def test_a_note_on_a_customer_is_kept_under_their_email_whatever_its_case(app, client, staff):
    paid_order(app, make_product(stock=5), 1, email="regular@example.kz")
    response = client.post("/admin/customers/notes", data={"email": "Regular@Example.kz", "body": "Prefers Kazakh"})
    assert response.status_code == 303
    page = client.get("/admin/customers/view?email=regular@example.kz").get_data(as_text=True)
    assert "Prefers Kazakh" in page and "Aigerim Nurlanovna" in page
    assert db.session.scalar(select(StaffNote.customer_email)) == "regular@example.kz"
    unknown = client.post("/admin/customers/notes", data={"email": "stranger@example.kz", "body": "Who?"})
    assert unknown.status_code == 404
