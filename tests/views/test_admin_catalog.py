"""Staff pages for stock and the catalogue: the ledger forms, products, pictures, categories and courses."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from shop.extensions import db
from shop.models import Category, Course, Product, ProductImage, StockMovement
from tests.factories import make_category, make_product, make_user
from tests.views.helpers import add, check_out


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


@pytest.fixture
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def _picture(width=2000, height=1500, kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (60, 140, 70)).save(buffer, kind)
    return buffer.getvalue()


def test_receiving_a_delivery_shows_in_the_ledger_and_in_the_shop(client, staff):
    product = make_product(stock=0, name="Basil kit")
    assert "Sold out" in client.get(f"/products/{product.slug}").get_data(as_text=True)
    response = client.post(f"/admin/products/{product.id}/receive",
                           data={"receive-quantity": "12", "receive-note": "Greenhouse Ltd, invoice 42"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/products/{product.id}#stock")
    page = client.get(f"/admin/products/{product.id}").get_data(as_text=True)
    assert "Greenhouse Ltd, invoice 42" in page and staff.email in page and "+12" in page
    assert "In stock" in client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert client.get("/api/products").get_json()[0]["available"] == 12


def test_a_write_off_below_what_is_held_is_refused_with_a_message(app, client, staff):
    product = make_product(stock=3)
    buyer = app.test_client()
    add(buyer, product, 2)
    check_out(buyer)
    response = client.post(f"/admin/products/{product.id}/write-off",
                           data={"write_off-quantity": "2", "write_off-reason": "Crushed box", "confirm": "1"})
    assert response.status_code == 400
    assert "below what is held" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, product.id).on_hand == 3


@pytest.mark.parametrize("quantity", ["0", "-3", "lots", ""])
def test_a_receipt_of_no_whole_positive_number_is_refused(client, staff, quantity):
    product = make_product(stock=2)
    response = client.post(f"/admin/products/{product.id}/receive",
                           data={"receive-quantity": quantity, "receive-note": "Delivery"})
    assert response.status_code == 400
    assert db.session.scalar(select(StockMovement.id).where(StockMovement.kind == "received",
                                                            StockMovement.reason == "Delivery")) is None


def test_the_product_page_shows_live_holds(app, client, staff):
    product = make_product(stock=5)
    buyer = app.test_client()
    add(buyer, product, 2)
    check_out(buyer)
    page = client.get(f"/admin/products/{product.id}").get_data(as_text=True)
    assert "Live holds" in page and "Pending payment" in page


def test_staff_create_a_product_with_three_languages_and_a_price_in_tenge(client, staff):
    category = make_category()
    response = client.post("/admin/products/new", data={
        "slug": "thyme-kit", "category_id": str(category.id), "course_id": "0", "price_minor": "12 900",
        "low_stock_threshold": "4", "is_active": "y", "name_ru": "Тимьян", "name_kk": "Тимьян (kk)",
        "name_en": "Thyme", "contents_ru": "Горшок\nСемена"})
    assert response.status_code == 303
    product = db.session.scalar(select(Product).where(Product.slug == "thyme-kit"))
    assert (product.price_minor, product.on_hand, product.low_stock_threshold) == (1290000, 0, 4)
    assert (product.name_ru, product.name_kk, product.name_en, product.course_id) == (
        "Тимьян", "Тимьян (kk)", "Thyme", None)


@pytest.mark.parametrize("price", ["12,9,0", "-5", "12.345", "free", "99999999999"])
def test_a_price_that_is_not_tenge_is_refused(client, staff, price):
    category = make_category()
    response = client.post("/admin/products/new", data={
        "slug": "odd-kit", "category_id": str(category.id), "course_id": "0", "price_minor": price,
        "low_stock_threshold": "3", "name_ru": "Набор"})
    assert response.status_code == 400
    assert re.search("Enter an amount in tenge|too large", response.get_data(as_text=True))
    assert db.session.scalar(select(Product.id).where(Product.slug == "odd-kit")) is None


def test_editing_a_product_keeps_its_stock_and_refuses_a_taken_slug(client, staff):
    product, other = make_product(stock=7, price=500000), make_product(stock=1)
    form = {"slug": product.slug, "category_id": str(product.category_id), "course_id": "0", "price_minor": "5500.50",
            "low_stock_threshold": "2", "name_ru": "Новое имя", "on_hand": "999"}
    assert client.post(f"/admin/products/{product.id}", data=form).status_code == 303
    db.session.expire_all()
    edited = db.session.get(Product, product.id)
    assert (edited.price_minor, edited.name_ru, edited.on_hand, edited.is_active) == (550050, "Новое имя", 7, False)
    response = client.post(f"/admin/products/{product.id}", data={**form, "slug": other.slug})
    assert response.status_code == 400 and "already used" in response.get_data(as_text=True)


def test_an_uploaded_picture_is_resized_to_webp_and_served_to_the_shop(client, staff, uploads):
    product = make_product(stock=3)
    response = client.post(f"/admin/products/{product.id}/images", content_type="multipart/form-data",
                           data={"image-image": (io.BytesIO(_picture()), "Photo.PNG")})
    assert response.status_code == 303
    image = db.session.scalar(select(ProductImage))
    assert image.is_upload and image.path.endswith(".webp") and (image.width, image.height) == (1200, 900)
    stored = Image.open(uploads / image.path)
    assert (stored.format, stored.size) == ("WEBP", (1200, 900))
    served = client.get(f"/uploads/{image.path}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert f"/uploads/{image.path}" in client.get(f"/products/{product.slug}").get_data(as_text=True)


def test_a_renamed_file_that_is_not_a_picture_is_refused(client, staff, uploads):
    product = make_product(stock=3)
    fake = b"<?php echo 'not a picture'; ?>" * 20
    response = client.post(f"/admin/products/{product.id}/images", content_type="multipart/form-data",
                           data={"image-image": (io.BytesIO(fake), "kit.jpg", "image/jpeg")})
    assert response.status_code == 400
    assert "not a picture the shop can use" in response.get_data(as_text=True)
    assert db.session.scalar(select(ProductImage.id)) is None
    assert not uploads.exists() or not any(uploads.rglob("*.*"))


def test_a_picture_over_two_megabytes_is_refused(client, staff, uploads):
    product = make_product(stock=3)
    big = _picture(10, 10) + b"\0" * (2 * 1024 * 1024)
    response = client.post(f"/admin/products/{product.id}/images", content_type="multipart/form-data",
                           data={"image-image": (io.BytesIO(big), "big.png")})
    assert response.status_code == 400 and "larger than 2 MB" in response.get_data(as_text=True)
    assert db.session.scalar(select(ProductImage.id)) is None


def test_a_picture_can_be_made_main_and_removed(client, staff, uploads):
    product = make_product(stock=3)
    for _ in range(2):
        client.post(f"/admin/products/{product.id}/images", content_type="multipart/form-data",
                    data={"image-image": (io.BytesIO(_picture(300, 200, "JPEG")), "a.jpg")})
    first, second = db.session.scalars(select(ProductImage).order_by(ProductImage.id)).all()
    assert client.post(f"/admin/images/{second.id}/main").status_code == 303
    db.session.expire_all()
    assert [image.id for image in db.session.get(Product, product.id).images] == [second.id, first.id]
    assert "Remove the picture" in client.get(f"/admin/images/{first.id}/delete").get_data(as_text=True)
    assert client.post(f"/admin/images/{first.id}/delete").status_code == 200  # asks first
    assert (uploads / first.path).exists()
    assert client.post(f"/admin/images/{first.id}/delete", data={"confirm": "1"}).status_code == 303
    assert not (uploads / first.path).exists() and (uploads / second.path).exists()


def test_the_low_stock_filter_lists_only_products_at_or_below_their_threshold(client, staff):
    make_product(stock=2, threshold=3, name="Nearly gone")
    make_product(stock=20, threshold=3, name="Plenty")
    page = client.get("/admin/products/?low=1").get_data(as_text=True)
    assert "Nearly gone" in page and "Plenty" not in page


def test_staff_create_and_edit_categories_and_courses(client, staff):
    answer = client.post("/admin/categories/new", data={"slug": "herbs", "name_ru": "Травы", "position": "2"})
    assert answer.status_code == 303
    category = db.session.scalar(select(Category).where(Category.slug == "herbs"))
    assert client.post(f"/admin/categories/{category.id}", data={"slug": "herbs", "name_ru": "Травы и зелень",
                                                                  "position": "1"}).status_code == 303
    assert client.post("/admin/courses/new", data={"slug": "bees", "topic": "beekeeping", "title_ru": "Пчёлы",
                                                   "position": "0", "is_active": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Category, category.id).name_ru == "Травы и зелень"
    assert db.session.scalar(select(Course.topic).where(Course.slug == "bees")) == "beekeeping"
    page = client.get("/admin/courses/").get_data(as_text=True)
    assert re.search(r"Пчёлы", page)
