"""Forms of the shop and the staff area: digits of other scripts, empty or missing choices, control characters,
files and JSON in place of text, texts longer than their column — a message every time, never a 500."""
import io

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Category, Course, Product, User
from tests.factories import make_category, make_cohort, make_product, make_user
from tests.views.helpers import BUYER, add, check_out


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


# --- numbers ------------------------------------------------------------------------------------------

def test_whole_number_fields_refuse_digits_of_other_scripts(client, staff):
    product = make_product(stock=1)
    response = client.post(f"/admin/products/{product.id}/receive",
                           data={"receive-quantity": "٣", "receive-note": "Поставка"})
    assert response.status_code == 400 and "whole number" in response.get_data(as_text=True)
    db.session.refresh(product)
    assert product.on_hand == 1


def test_prices_in_other_digits_are_refused(client, staff):
    category = make_category()
    response = client.post("/admin/products/new", data={
        "slug": "kit", "name_ru": "Набор", "category_id": category.id, "course_id": "0", "price_minor": "٣٠٠",
        "low_stock_threshold": "3"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Product.id))) == 0


# --- choices -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["", " ", "drone"])
def test_checkout_with_an_empty_or_unknown_delivery_method_asks_to_choose(client, method):
    add(client, make_product(stock=3))
    response = check_out(client, delivery_method=method)
    assert response.status_code == 400
    assert "Choose how to receive your order." in response.get_data(as_text=True)


def test_checkout_of_seats_only_needs_no_delivery_method(client):
    add(client, cohort=make_cohort())
    response = check_out(client, delivery_method="", city="", address="")
    assert response.status_code == 303


@pytest.mark.parametrize("field", ["topic", "language", "format", "role", "category_id", "course_id"])
def test_staff_choice_fields_sent_empty_or_missing_get_a_message(client, staff, field):
    make_category()
    forms = {
        "topic": ("/admin/courses/new", {"slug": "c", "title_ru": "Курс", "position": "0"}),
        "language": ("/admin/cohorts/new", {"starts_at": "2030-05-10T18:30", "capacity": "8", "price_minor": "100",
                                            "format": "online", "join_url": "https://meet.example/r"}),
        "format": ("/admin/cohorts/new", {"starts_at": "2030-05-10T18:30", "capacity": "8", "price_minor": "100",
                                          "language": "ru", "join_url": "https://meet.example/r"}),
        "role": ("/admin/staff/", {"email": "someone@example.kz"}),
        "category_id": ("/admin/products/new", {"slug": "p", "name_ru": "Набор", "price_minor": "100",
                                                "low_stock_threshold": "3"}),
        "course_id": ("/admin/cohorts/new", {"starts_at": "2030-05-10T18:30", "capacity": "8", "price_minor": "100",
                                             "language": "ru", "format": "online", "join_url": "https://meet.example/r"}),
    }
    if field == "role":
        staff.role = "admin"
        db.session.commit()
    path, data = forms[field]
    for value in ("", None):
        sent = dict(data) if value is None else {**data, field: value}
        response = client.post(path, data=sent)
        assert response.status_code == 400, (field, value)
        page = response.get_data(as_text=True)
        assert "Choose one of the options." in page or "This field is required." in page, (field, value)


# --- control characters ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["Дана\r\nBcc: x@evil.kz", "Дана\n", "Дана\x07", "Дана\x1b[31m", "Дана\u2028"])
def test_checkout_text_with_line_breaks_or_control_characters_gets_a_message(client, value):
    add(client, make_product(stock=3))
    for field in ("full_name", "city", "address", "email", "phone"):
        response = check_out(client, **{field: value})
        assert response.status_code == 400, field
        assert "line breaks or control characters" in response.get_data(as_text=True), field


def test_account_names_with_line_breaks_are_refused_with_a_message(client):
    response = client.post("/account/register", data={"email": "new@example.kz", "full_name": "Дана\r\nОмарова",
                                                      "password": "long enough pass", "accept_terms": "y"})
    assert response.status_code == 400 and "line breaks or control characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_staff_single_line_texts_refuse_line_breaks_and_slugs_refuse_a_trailing_newline(client, staff):
    response = client.post("/admin/categories/new", data={"slug": "herbs\n", "name_ru": "Травы", "position": "0"})
    assert response.status_code == 400
    response = client.post("/admin/categories/new",
                           data={"slug": "herbs", "name_ru": "Травы\r\nи\x0b", "position": "0"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Category.id))) == 0


def test_staff_long_texts_keep_line_breaks_but_refuse_other_control_characters(client, staff):
    base = {"slug": "microgreens-101", "topic": "microgreens", "title_ru": "Микрозелень", "position": "0"}
    response = client.post("/admin/courses/new", data={**base, "summary_ru": "Строка\x07"})
    assert response.status_code == 400 and "control characters" in response.get_data(as_text=True)
    response = client.post("/admin/courses/new", data={**base, "summary_ru": "Первая\r\nвторая"})
    assert response.status_code == 303
    assert db.session.scalar(select(Course.summary_ru)) == "Первая\nвторая"  # kept, as one newline


def test_a_category_slug_longer_than_its_column_is_refused(client, staff):
    response = client.post("/admin/categories/new", data={"slug": "a" * 100, "name_ru": "Травы", "position": "0"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Category.id))) == 0


@pytest.mark.parametrize("locale, words", [("ru", "переносы строк"), ("kk", "жол ауыстыру")])
def test_the_control_character_message_is_in_the_visitors_language(app, locale, words):
    client = app.test_client()
    add(client, make_product(stock=3))
    data = {**BUYER, "full_name": "Дана\nОмарова"}
    response = client.post("/checkout" if locale == "ru" else f"/{locale}/checkout", data=data)
    assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_a_file_sent_instead_of_text_gets_a_message(client):
    add(client, make_product(stock=3))
    data = {"email": (io.BytesIO(b"x"), "email.txt"), "full_name": (io.BytesIO(b"x"), "name.txt"),
            "phone": "+7 701 234 56 78"}
    assert check_out(client, **data).status_code == 400
    for path in ("/account/register", "/account/login", "/account/reset"):
        assert client.post(path, data={"email": (io.BytesIO(b"x"), "e.txt"),
                                       "password": (io.BytesIO(b"x"), "p.txt")}).status_code == 400, path


@pytest.mark.parametrize("body", [[1, 2], "text", 5, {"email": ["a", "b"], "full_name": {"x": 1}}])
def test_json_sent_to_a_form_is_not_read_as_its_fields(client, body):
    add(client, make_product(stock=3))
    assert client.post("/checkout", json=body).status_code == 400
    assert client.post("/account/register", json=body).status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == 0
