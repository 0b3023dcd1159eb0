"""Every staff edit form saves what the shop itself made: each product, course and cohort of the demo seed,
sent back exactly as its edit page shows it (as a browser would), is accepted and changes nothing."""
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, inspect, select

from shop.clock import utcnow
from shop.extensions import db
from shop.models import Category, Cohort, Course, InfoPage, InfoPageVersion, Product, ShopDetails
from shop.seed import seed_demo
from tests.factories import make_user

IGNORED = {"updated_at"}  # a save stamps the time; nothing else may change


class _FormReader(HTMLParser):
    """Collect what a browser would submit from the form posting to ``action``."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.fields = action, False, []
        self._textarea = self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            else:
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in attrs:
                self._select[2] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            text = text[1:] if text.startswith("\n") else text  # HTML drops a textarea's first line break
            self.fields.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))  # browsers send CRLF
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, first, chosen = self._select
            self.fields.append((name, chosen if chosen is not None else first or ""))
            self._select = None


def _submitted(page: str, action: str) -> dict[str, str]:
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.fields, f"no form posts to {action}"
    return dict(reader.fields)


def _state(record) -> dict:
    return {attr.key: getattr(record, attr.key) for attr in inspect(record).mapper.column_attrs
            if attr.key not in IGNORED}


@pytest.fixture
def seeded(app, login_as):
    seed_demo(utcnow())
    login_as(make_user(role="admin"))


def _round_trip(client, model, path: str):
    records = db.session.scalars(select(model).order_by(model.id)).all()
    assert records, f"the seed made no {model.__name__}"
    for record in records:
        before = _state(record)
        url = path.format(id=record.id)
        page = client.get(url)
        assert page.status_code == 200
        response = client.post(url, data=_submitted(page.get_data(as_text=True), f"/en{url}"))
        assert response.status_code == 303, (model.__name__, record.id, response.get_data(as_text=True)[-3000:])
        db.session.expire_all()
        assert _state(db.session.get(model, record.id)) == before


def test_each_seeded_product_saves_unchanged(client, seeded):
    _round_trip(client, Product, "/admin/products/{id}")


def test_each_seeded_course_saves_unchanged(client, seeded):
    _round_trip(client, Course, "/admin/courses/{id}")


def test_each_seeded_cohort_saves_unchanged(client, seeded):
    _round_trip(client, Cohort, "/admin/cohorts/{id}")


def test_each_seeded_category_saves_unchanged(client, seeded):
    _round_trip(client, Category, "/admin/categories/{id}")


def test_the_seeded_shop_details_save_unchanged(client, seeded):
    before = _state(db.session.scalar(select(ShopDetails)))
    page = client.get("/admin/shop-details").get_data(as_text=True)
    assert client.post("/admin/shop-details", data=_submitted(page, "/en/admin/shop-details")).status_code == 303
    db.session.expire_all()
    assert _state(db.session.scalar(select(ShopDetails))) == before


def test_each_seeded_information_page_saves_unchanged_without_a_new_version(client, seeded):
    for slug in db.session.scalars(select(InfoPage.slug)).all():
        url = f"/admin/pages/{slug}"
        response = client.post(url, data=_submitted(client.get(url).get_data(as_text=True), f"/en{url}"))
        assert response.status_code in (200, 303), (slug, response.status_code)
    db.session.expire_all()
    assert db.session.scalar(select(func.max(InfoPageVersion.number))) == 1


@pytest.mark.parametrize(("link", "accepted"), [
    ("/static/img/courses/herbs.svg", True), ("https://drive.example.kz/course", True),
    ("//evil.example/x", False), ("javascript:alert(1)", False), ("static/no-slash.svg", False),
    ("/path with spaces", False)])
def test_the_materials_link_is_a_full_link_or_a_path_on_the_site(client, seeded, link, accepted):
    course = db.session.scalar(select(Course).order_by(Course.id).limit(1))
    url = f"/admin/courses/{course.id}"
    form = {**_submitted(client.get(url).get_data(as_text=True), f"/en{url}"), "materials_url": link}
    response = client.post(url, data=form)
    assert (response.status_code == 303) == accepted
    db.session.expire_all()
    assert (db.session.get(Course, course.id).materials_url == link) == accepted


def test_a_text_saved_from_a_browser_keeps_its_line_breaks_as_newlines(client, seeded):
    product = db.session.scalar(select(Product).order_by(Product.id).limit(1))
    url = f"/admin/products/{product.id}"
    form = {**_submitted(client.get(url).get_data(as_text=True), f"/en{url}"), "contents_en": "Pot\r\nSeeds\rTray"}
    assert client.post(url, data=form).status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, product.id).contents_en == "Pot\nSeeds\nTray"
