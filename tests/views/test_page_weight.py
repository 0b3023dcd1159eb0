"""Pages are light: compressed, fingerprinted for a year, all from this host, and the product page small."""
import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import brotli
import pytest

from shop.assets import YEAR
from shop.seed import seed_demo

BUDGET = 50 * 1000  # bytes over the wire for the product page without product images
PRODUCT_IMAGES = ("/static/img/products/", "/uploads/")
RESOURCE_ATTRIBUTES = {("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("iframe", "src"),
                       ("video", "src"), ("audio", "src"), ("form", "action"), ("object", "data"), ("embed", "src")}


class References(HTMLParser):
    """Collect what a page makes the browser fetch, or send to: stylesheets, icons, scripts, images, forms."""

    def __init__(self):
        super().__init__()
        self.resources: list[str] = []
        self.lazy: dict[str, bool] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
            return  # the page's own addresses for search engines: nothing the browser fetches
        for name, value in attrs.items():
            if (tag, name) in RESOURCE_ATTRIBUTES and value:
                self.resources.append(value)
            if name in ("srcset", "imagesrcset") and value:
                self.resources += [part.strip().split()[0] for part in value.split(",") if part.strip()]
        if tag == "img":
            self.lazy[attrs.get("src", "")] = attrs.get("loading") == "lazy"


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


def wire_size(response) -> int:
    """Bytes of the status line, headers and (compressed) body as the server sends them."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in response.headers.items()) + "\r\n"
    return len(head.encode()) + len(response.data)


@pytest.fixture
def shop(app, now):
    seed_demo(now)
    return app


def _get(client, url, encoding="gzip"):
    return client.get(url, headers={"Accept-Encoding": encoding})


def test_the_product_page_weighs_at_most_50_kb_without_product_images(client, shop):
    page = _get(client, "/products/basil-starter-kit")
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    total = wire_size(page)
    html = gzip.decompress(page.data).decode()
    fetched = [url for url in references(html).resources
               if not url.startswith(PRODUCT_IMAGES) and urlsplit(url).path.startswith("/static/")]
    assert any(url.startswith("/static/css/") for url in fetched)
    for url in set(fetched):
        response = _get(client, url)
        assert response.status_code == 200, url
        total += wire_size(response)
    assert total <= BUDGET, f"the product page weighs {total} bytes over the wire"


@pytest.mark.parametrize("path", ["/", "/catalog/", "/products/basil-starter-kit", "/courses/", "/cart"])
def test_no_page_makes_the_browser_reach_another_host(client, shop, path):
    html = client.get(path).get_data(as_text=True)
    for url in references(html).resources:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{path} references {url}"


def test_the_stylesheet_reaches_no_other_host(client, shop):
    css = client.get("/static/css/shop.css").get_data(as_text=True)
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css):
        parts = urlsplit(url)
        assert not parts.netloc and parts.scheme in ("", "data"), url


@pytest.mark.parametrize("encoding, decompress", [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_html_css_and_json_are_sent_compressed(client, shop, encoding, decompress):
    html = client.get("/products/basil-starter-kit").get_data(as_text=True)
    css = next(url for url in references(html).resources if url.startswith("/static/css/"))
    for url in ("/catalog/", css, "/api/products"):
        response = _get(client, url, encoding)
        assert response.headers.get("Content-Encoding") == encoding, url
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decompress(response.data) == client.get(url, headers={"Accept-Encoding": "identity"}).data


def test_static_urls_are_fingerprinted_and_cached_for_a_year(client, shop):
    html = client.get("/products/basil-starter-kit").get_data(as_text=True)
    static = [url for url in references(html).resources if url.startswith("/static/")]
    assert static
    for url in static:
        assert "?v=" in url, url
        assert f"max-age={YEAR}" in client.get(url).headers["Cache-Control"]


def test_images_below_the_fold_load_lazily(client, shop):
    product = references(client.get("/products/basil-starter-kit").get_data(as_text=True)).lazy
    main = "/static/img/products/basil-starter-kit.svg"
    related = [src for src in product if src.startswith("/static/img/products/") and not src.startswith(main)]
    assert not next(lazy for src, lazy in product.items() if src.startswith(main))
    assert related and all(product[src] for src in related)
    catalogue = references(client.get("/catalog/").get_data(as_text=True)).lazy
    cards = [lazy for src, lazy in catalogue.items() if src.startswith("/static/img/products/")]
    assert not any(cards[:4]) and all(cards[4:]) and len(cards) > 4
