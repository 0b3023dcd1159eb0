"""Every schema change is a migration: upgrading an empty database gives exactly the models."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
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
