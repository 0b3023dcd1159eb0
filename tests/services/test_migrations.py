"""Every schema change is a migration: upgrading an empty database gives exactly the models."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from shop.extensions import db
from tests.conftest import _postgres_url, make_app


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    name = f"shop_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield _postgres_url().rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrading_an_empty_database_matches_the_models(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []




def test_upgrading_indexes_existing_kits_and_numbers_existing_orders(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="5b0e3c7d9a14")  # the revision before search stems and order numbers
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO category (id, slug, name_ru, name_kk, name_en, position) "
                "VALUES (1, 'herbs', 'Травы', 'Шөптер', 'Herbs', 0)"))
            connection.execute(text(
                "INSERT INTO product (slug, category_id, name_ru, name_kk, name_en, description_ru, description_kk,"
                " description_en, contents_ru, contents_kk, contents_en, price_minor, on_hand, low_stock_threshold,"
                " is_active, is_featured, updated_at, created_at, search_text) VALUES ('basil-kit', 1,"
                " 'Набор «Базилик»', '«Райхан» жинағы', 'Basil kit', '', '', '', '', '', '', 100, 0, 3,"
                " true, false, '2026-01-01 00:00:00', '2026-01-01 00:00:00', '')"))
            for index in range(3):
                connection.execute(text(
                    "INSERT INTO shop_order (public_id, email, full_name, phone, delivery_method, city, address,"
                    " locale, subtotal_minor, delivery_fee_minor, total_minor, currency, status, payment_provider,"
                    " tracking_number, needs_attention, client_ip, created_at) VALUES (:public_id, 'a@b.kz', 'A',"
                    " '+77010000000', 'pickup', '', '', 'ru', 100, 0, 100, 'KZT', 'paid', 'dummy', '', '', '',"
                    " '2026-01-01 00:00:00')"), {"public_id": f"order-{index}"})
        upgrade()
        with db.engine.connect() as connection:
            name = connection.execute(text("SELECT search_name FROM product")).scalar_one()
            numbers = connection.execute(text("SELECT number FROM shop_order")).scalars().all()
            synonyms = connection.execute(text("SELECT words FROM search_synonym")).scalars().all()
        db.engine.dispose()
    assert " базилик " in name and " райхан " in name and " basil " in name
    assert len(set(numbers)) == 3 and all(1_000_000 <= number <= 9_999_999 for number in numbers)
    assert any("помидор" in words for words in synonyms)


OLD_ORDERS = {  # public id: (old status, its events as (from, to) in order)
    "unpaid": ("pending_payment", [(None, "pending_payment")]),
    "lapsed": ("cancelled", [("pending_payment", "cancelled")]),
    "paid": ("paid", [("pending_payment", "paid")]),
    "shipped": ("shipped", [("pending_payment", "paid"), ("paid", "packed"), ("packed", "shipped")]),
    "collected": ("picked_up", [("pending_payment", "paid"), ("paid", "ready_for_pickup"),
                                ("ready_for_pickup", "picked_up")]),
    "part-after-shipping": ("partially_refunded", [("pending_payment", "paid"), ("paid", "packed"),
                                                   ("packed", "shipped"), ("shipped", "partially_refunded")]),
    "part-then-packed": ("partially_refunded", [("pending_payment", "paid"), ("paid", "partially_refunded"),
                                                ("partially_refunded", "packed"),
                                                ("packed", "partially_refunded")]),
    "part-unpacked": ("partially_refunded", [("pending_payment", "paid"), ("paid", "partially_refunded")]),
    "refunded-delivered": ("refunded", [("pending_payment", "paid"), ("paid", "packed"), ("packed", "shipped"),
                                        ("shipped", "delivered"), ("delivered", "refunded")]),
    "refunded-unpacked": ("refunded", [("pending_payment", "paid"), ("paid", "refunded")]),
    "kaspi-note": ("pending_payment", [("pending_payment", "pending_payment")]),
}


def _old_order(connection, number, public_id, status, history):
    order_id = connection.execute(text(
        "INSERT INTO shop_order (public_id, number, email, full_name, phone, delivery_method, city, address,"
        " locale, subtotal_minor, delivery_fee_minor, total_minor, currency, status, payment_provider,"
        " tracking_number, needs_attention, client_ip, created_at) VALUES (:public_id, :number, 'a@b.kz', 'A',"
        " '+77010000000', 'courier', 'Almaty', 'Abaya 1', 'ru', 100, 0, 100, 'KZT', :status, 'dummy', '', '', '',"
        " '2026-01-01 00:00:00') RETURNING id"), {"public_id": public_id, "number": number, "status": status}
    ).scalar_one()
    for from_status, to_status in history:
        connection.execute(text(
            "INSERT INTO order_event (order_id, from_status, to_status, note, created_at)"
            " VALUES (:order_id, :from_status, :to_status, '', '2026-01-01 00:00:00')"),
            {"order_id": order_id, "from_status": from_status, "to_status": to_status})


def test_upgrading_splits_each_existing_order_into_its_payment_and_fulfilment(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="b51fe40e55a9")  # one status per order
        with db.engine.begin() as connection:
            for number, (public_id, (status, history)) in enumerate(OLD_ORDERS.items(), start=1_000_001):
                _old_order(connection, number, public_id, status, history)
        upgrade(revision="6a3564550225")
        with db.engine.connect() as connection:
            states = dict(connection.execute(text(
                "SELECT public_id, payment_status || ' ' || fulfilment_status FROM shop_order")).all())
            events = connection.execute(text(
                "SELECT o.public_id, e.kind, e.from_status, e.to_status FROM order_event e"
                " JOIN shop_order o ON o.id = e.order_id ORDER BY e.id")).all()
        downgrade(revision="b51fe40e55a9")
        with db.engine.connect() as connection:
            back = dict(connection.execute(text("SELECT public_id, status FROM shop_order")).all())
        db.engine.dispose()
    assert states == {
        "unpaid": "pending_payment unfulfilled", "lapsed": "cancelled unfulfilled", "paid": "paid unfulfilled",
        "shipped": "paid shipped", "collected": "paid picked_up", "part-after-shipping": "partially_refunded shipped",
        "part-then-packed": "partially_refunded packed", "part-unpacked": "partially_refunded unfulfilled",
        "refunded-delivered": "refunded delivered", "refunded-unpacked": "refunded unfulfilled",
        "kaspi-note": "pending_payment unfulfilled",
    }
    after_shipping = [tuple(event[1:]) for event in events if event[0] == "part-after-shipping"]
    assert after_shipping == [("payment", "pending_payment", "paid"), ("fulfilment", "unfulfilled", "packed"),
                              ("fulfilment", "packed", "shipped"), ("payment", "paid", "partially_refunded")]
    assert [tuple(event[1:]) for event in events if event[0] == "part-then-packed"][2:] == [
        ("fulfilment", "unfulfilled", "packed"), ("payment", "partially_refunded", "partially_refunded")]
    assert [event[1] for event in events if event[0] == "kaspi-note"] == ["note"]
    assert back == {public_id: status for public_id, (status, _) in OLD_ORDERS.items()}
