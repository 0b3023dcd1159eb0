"""A URL per language: Russian at the root, Kazakh under /kk/, English under /en/, on every page."""
import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import OutboxMessage
from shop.seed import seed_demo

PAGES = ["/", "/catalog/", "/products/basil-starter-kit", "/courses/", "/courses/microgreens-at-home", "/cart",
         "/account/login", "/account/register", "/account/reset"]
WORDS = {"ru": "Городская ферма", "kk": "Қалалық ферма", "en": "City Farm"}


@pytest.fixture
def visitor(app, now):
    """A browser with no language preference of its own beyond what the URL says."""
    seed_demo(now)
    return app.test_client()


@pytest.mark.parametrize("path", PAGES)
def test_every_public_page_has_its_own_url_in_each_language(visitor, path):
    for lang, prefix in (("ru", ""), ("kk", "/kk"), ("en", "/en")):
        response = visitor.get(prefix + path)
        assert response.status_code == 200, (lang, path)
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in page and WORDS[lang] in page


def test_a_path_with_no_prefix_is_russian_whatever_the_browser_prefers(visitor):
    page = visitor.get("/catalog/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="ru">' in page


def test_links_on_a_page_stay_in_its_language(visitor):
    page = visitor.get("/kk/catalog/").get_data(as_text=True)
    assert 'href="/kk/products/basil-starter-kit"' in page and 'href="/kk/cart"' in page
    assert 'href="/static/' in page or 'src="/static/' in page  # pictures and styles have one URL for all
    assert 'href="/kk/static/' not in page and 'src="/kk/static/' not in page


def test_the_language_switch_leads_to_the_same_page_keeping_the_query(visitor):
    page = visitor.get("/catalog/?q=basil&category=herbs&page=1").get_data(as_text=True)
    assert 'href="/kk/catalog/?q=basil&amp;category=herbs&amp;page=1"' in page
    assert 'href="/en/catalog/?q=basil&amp;category=herbs&amp;page=1"' in page
    english = visitor.get("/en/catalog/?q=basil").get_data(as_text=True)
    assert 'href="/catalog/?q=basil"' in english


def test_lang_in_the_query_redirects_to_that_languages_url_keeping_the_rest(visitor):
    response = visitor.get("/catalog/?q=basil&lang=kk")
    assert response.status_code == 302 and response.headers["Location"] == "/kk/catalog/?q=basil"
    response = visitor.get("/kk/products/basil-starter-kit?lang=ru")
    assert response.headers["Location"] == "/products/basil-starter-kit"


def test_a_signed_order_link_keeps_working_when_the_language_is_switched(app, visitor):
    from shop.models import Product
    from tests.views.helpers import BUYER, add, check_out, path_of

    add(visitor, db.session.scalar(select(Product).where(Product.slug == "basil-starter-kit")))
    visitor.post(path_of(check_out(visitor)), data={"outcome": "pay"})
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("order-confirmation")))
    link = next(word for word in message.body_text.split() if "/orders/" in word).replace("http://shop.test", "")
    stranger = app.test_client()
    page = stranger.get(link).get_data(as_text=True)
    switched = page.split('hreflang="kk"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert stranger.get(switched).status_code == 200
    assert BUYER["full_name"] in stranger.get(switched).get_data(as_text=True)


def test_forms_post_to_the_unprefixed_paths_too(visitor):
    from shop.models import Product

    product = db.session.scalar(select(Product).where(Product.slug == "basil-starter-kit"))
    assert visitor.post("/cart/add", data={"product": product.slug}).status_code == 303
    assert visitor.post("/kk/cart/add", data={"product": product.slug}).headers["Location"] == "/kk/cart"


def test_emails_link_in_the_buyers_language(app, now):
    from shop.models import Product
    from tests.views.helpers import BUYER, check_out, path_of

    seed_demo(now)
    kazakh = app.test_client()
    product = db.session.scalar(select(Product).where(Product.slug == "basil-starter-kit"))
    kazakh.post("/kk/cart/add", data={"product": product.slug})
    answer = kazakh.post("/kk/checkout", data=BUYER)
    kazakh.post(path_of(answer), data={"outcome": "pay"})
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("order-confirmation")))
    assert "http://shop.test/kk/orders/" in message.body_text
    assert check_out  # the shared helpers post to Russian URLs; this buyer shopped in Kazakh


def test_pages_in_each_language_are_cached_apart(visitor):
    first = visitor.get("/kk/catalog/")
    again = visitor.get("/kk/catalog/")
    russian = visitor.get("/catalog/")
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]
    assert russian.headers["ETag"] != first.headers["ETag"] and b'lang="ru"' in russian.data
