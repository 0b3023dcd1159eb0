"""Customers, staff accounts, the audit log, and CSRF on every staff form."""
import csv
import io
import re

from sqlalchemy import select

from shop.extensions import db
from shop.models import AuditEntry, Product, User
from tests.admin_support import paid_order
from tests.conftest import _reset_schema
from tests.factories import make_product, make_user


def test_customers_are_found_by_cyrillic_name_in_any_case_with_their_total_spent(app, client, login_as):
    login_as(make_user(role="staff"))
    paid_order(app, make_product(stock=5, price=500000), 2, delivery="pickup", email="aigerim@example.kz",
               full_name="Айгерим Сапарова")
    paid_order(app, make_product(stock=5, price=100000), 1, delivery="pickup", email="dana@example.kz",
               full_name="Дана Омарова")
    page = client.get("/admin/customers/?q=айгерим").get_data(as_text=True)
    assert "aigerim@example.kz" in page and "dana@example.kz" not in page
    assert "10,000" in page or "10 000" in page
    file = client.get("/admin/customers/view?email=aigerim@example.kz").get_data(as_text=True)
    assert "Айгерим Сапарова" in file and "Paid" in file


def test_the_customers_csv_is_for_excel(app, client, login_as):
    login_as(make_user(role="staff"))
    paid_order(app, make_product(stock=5, price=500000), 1, delivery="pickup", email="aigerim@example.kz",
               full_name="Айгерим Сапарова")
    response = client.get("/admin/customers/export.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    row = next(row for row in rows if row[0] == "aigerim@example.kz")
    assert row[1] == "Айгерим Сапарова" and row[3] == "1" and row[4] == "5000,00"


def test_a_staff_member_cannot_make_themselves_admin(client, login_as):
    staff = make_user(role="staff")
    login_as(staff)
    response = client.post("/admin/staff/", data={"email": staff.email, "role": "admin"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, staff.id).role == "staff"


def test_an_admin_gives_a_customer_the_staff_role_and_it_is_audited(client, login_as):
    admin, customer = make_user(role="admin"), make_user(role="customer")
    login_as(admin)
    response = client.post("/admin/staff/", data={"email": customer.email.upper(), "role": "staff", "confirm": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, customer.id).role == "staff"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.role"))
    assert entry.actor_id == admin.id and '"customer", "staff"' in entry.details


def test_an_admin_cannot_change_their_own_role(client, login_as):
    admin = make_user(role="admin")
    login_as(admin)
    response = client.post("/admin/staff/", data={"email": admin.email, "role": "customer", "confirm": "1"})
    assert response.status_code == 400 and "your own role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"


def test_the_audit_log_shows_who_changed_what(client, login_as):
    staff, admin = make_user(role="staff"), make_user(role="admin")
    product = make_product(stock=1)
    login_as(staff)
    client.post(f"/admin/products/{product.id}/receive",
                data={"receive-quantity": "4", "receive-note": "Farm delivery"})
    client.post("/account/logout")
    login_as(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "stock.received" in page and staff.email in page and "Farm delivery" in page
    assert "stock.received" not in client.get("/admin/audit?action=order.").get_data(as_text=True)


def test_a_staff_form_posted_without_its_csrf_token_is_refused(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        _reset_schema(app.config["SQLALCHEMY_DATABASE_URI"])
        product_id, email = make_product(stock=2).id, make_user(role="staff").email
        db.session.remove()
    client = app.test_client()  # each request in its own app context, as in production
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/account/login").text).group(1)
    login = {"email": email, "password": "correct horse battery", "csrf_token": token}
    assert client.post("/account/login", data=login).status_code == 303
    data = {"receive-quantity": "5", "receive-note": "Delivery"}
    assert client.post(f"/admin/products/{product_id}/receive", data=data).status_code == 400
    page = client.get(f"/admin/products/{product_id}").text
    token = re.search(r'name="receive-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "the receive form carries its CSRF token"
    response = client.post(f"/admin/products/{product_id}/receive", data={**data, "receive-csrf_token": token.group(1)})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Product, product_id).on_hand == 7
        db.session.remove()
