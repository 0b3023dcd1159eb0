"""What search engines and messengers read: canonical and alternates, share pictures, structured data, sitemap."""
import io
import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from PIL import Image
from sqlalchemy import select

from shop.extensions import db
from shop.inventory.services import write_off
from shop.models import Cohort, Product
from shop.seed import seed_demo
from shop.seed_pages import SHOP_DETAILS

BASE = "http://shop.test"


class _Head(HTMLParser):
    """Collect a page's <meta>, <link> and JSON-LD blocks."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld, self._in_ld = {}, [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False


def _head(client, path) -> _Head:
    response = client.get(path)
    assert response.status_code == 200, path
    head = _Head()
    head.feed(response.get_data(as_text=True))
    return head


@pytest.fixture
def visitor(app, now):
    seed_demo(now)
    return app.test_client()


PUBLIC = ["/", "/catalog/", "/products/basil-starter-kit", "/courses/", "/courses/microgreens-at-home",
          "/pages/offer", "/pages/contacts"]


@pytest.mark.parametrize("path", PUBLIC)
def test_every_public_page_names_its_canonical_url_and_its_alternates_in_each_language(visitor, path):
    for prefix in ("", "/kk", "/en"):
        head = _head(visitor, prefix + path)
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == [BASE + prefix + path]
        alternates = {link["hreflang"]: link["href"] for link in head.links if link.get("rel") == "alternate"}
        assert alternates == {"ru": BASE + path, "kk": BASE + "/kk" + path, "en": BASE + "/en" + path,
                              "x-default": BASE + path}


def test_pages_have_descriptions_of_their_own(visitor):
    descriptions = {path: _head(visitor, "/en" + path).meta["description"] for path in PUBLIC}
    assert len(set(descriptions.values())) == len(PUBLIC)
    course = db.session.scalar(select(Product).where(Product.slug == "basil-starter-kit"))
    assert descriptions["/products/basil-starter-kit"][:30] in course.description_en


@pytest.mark.parametrize("path", ["/products/basil-starter-kit", "/courses/microgreens-at-home", "/"])
def test_a_pasted_link_has_a_title_a_description_and_a_raster_picture(visitor, path):
    head = _head(visitor, "/kk" + path)
    assert head.meta["og:title"] and head.meta["og:description"] and head.meta["og:url"] == BASE + "/kk" + path
    assert head.meta["twitter:card"] == "summary_large_image"
    picture = head.meta["og:image"]
    assert picture.startswith(BASE + "/kk/og/") and picture.endswith(".png")
    response = visitor.get(picture.removeprefix(BASE))
    assert response.status_code == 200 and response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.format == "PNG" and image.size == (1200, 630)


def test_a_products_structured_data_matches_its_price_and_stock(visitor, now):
    head = _head(visitor, "/en/products/basil-starter-kit")
    product = next(item for item in head.json_ld if item["@type"] == "Product")
    row = db.session.scalar(select(Product).where(Product.slug == "basil-starter-kit"))
    assert product["name"] == row.name_en and product["offers"]["priceCurrency"] == "KZT"
    assert product["offers"]["price"] == f"{row.price_minor // 100}.{row.price_minor % 100:02d}"
    assert product["offers"]["availability"] == "https://schema.org/InStock"
    crumbs = next(item for item in head.json_ld if item["@type"] == "BreadcrumbList")
    assert crumbs["itemListElement"][-1]["item"] == BASE + "/en/products/basil-starter-kit"

    write_off(row, row.on_hand, now=now, reason="Sold at the market")
    db.session.commit()
    head = _head(visitor, "/en/products/basil-starter-kit")
    product = next(item for item in head.json_ld if item["@type"] == "Product")
    assert product["offers"]["availability"] == "https://schema.org/OutOfStock"


def test_a_courses_structured_data_lists_its_cohorts_with_mode_and_start(visitor, now):
    head = _head(visitor, "/courses/microgreens-at-home")
    course = next(item for item in head.json_ld if item["@type"] == "Course")
    instances = course["hasCourseInstance"]
    cohorts = db.session.scalars(select(Cohort).join(Cohort.course).where(Cohort.starts_at > now)).all()
    assert instances and {i["courseMode"] for i in instances} <= {"online", "onsite"}
    assert all(re.match(r"\d{4}-\d\d-\d\dT", i["startDate"]) for i in instances)
    assert len(cohorts) >= len(instances)


def test_the_home_page_describes_the_farm_with_the_details_staff_entered(visitor):
    organization = next(item for item in _head(visitor, "/").json_ld if item["@type"] == "LocalBusiness")
    assert organization["name"] and organization["address"]["addressCountry"] == "KZ"
    assert organization["telephone"] == SHOP_DETAILS["phone"] and organization["taxID"] == SHOP_DETAILS["bin_iin"]
    assert organization["address"]["streetAddress"] == SHOP_DETAILS["pickup_address_ru"]
    assert "https://wa.me/77013551248" in organization["sameAs"]


def test_the_sitemap_lists_every_public_page_in_every_language_with_its_alternates(visitor):
    response = visitor.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    tree = ElementTree.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {url.find("s:loc", ns).text: url for url in tree.findall("s:url", ns)}
    for path in PUBLIC:
        for prefix in ("", "/kk", "/en"):
            assert BASE + prefix + path in urls, prefix + path
    basil = urls[BASE + "/kk/products/basil-starter-kit"]
    assert {link.get("hreflang") for link in basil.findall("x:link", ns)} == {"ru", "kk", "en", "x-default"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", basil.find("s:lastmod", ns).text)
    assert not any("/cart" in loc or "/admin/" in loc or "/account/" in loc for loc in urls)


def test_robots_keeps_crawlers_out_of_personal_areas_and_points_to_the_sitemap(visitor):
    text = visitor.get("/robots.txt").get_data(as_text=True)
    for path in ("/cart", "/checkout", "/account/", "/learn/", "/admin/", "/kk/cart", "/en/admin/"):
        assert f"Disallow: {path}\n" in text
    assert f"Sitemap: {BASE}/sitemap.xml" in text


def test_personal_pages_ask_not_to_be_indexed(visitor):
    assert _head(visitor, "/cart").meta.get("robots") == "noindex"
    assert _head(visitor, "/catalog/").meta.get("robots") is None


def test_a_favicon_and_an_apple_touch_icon_are_served(visitor):
    icon = visitor.get("/favicon.ico")
    touch = visitor.get("/apple-touch-icon.png")
    assert icon.status_code == touch.status_code == 200
    with Image.open(io.BytesIO(touch.data)) as image:
        assert image.size == (180, 180)
