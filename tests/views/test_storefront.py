import re

import pytest

from shop.seed import seed_demo
from tests.factories import make_category, make_cohort, make_course, make_product


@pytest.fixture
def seeded(app, now):
    seed_demo(now)


def test_the_catalogue_filters_by_category(client, app):
    herbs, tomatoes = make_category("herbs"), make_category("tomatoes")
    make_product(name="Basil", category=herbs)
    make_product(name="Cherry", category=tomatoes)
    page = client.get("/catalog/?category=tomatoes&lang=en").get_data(as_text=True)
    assert "Cherry" in page and "Basil" not in page


def test_search_finds_names_in_any_language_whatever_the_case(client, seeded):
    for query in ("базилик", "БАЗИЛИК", "райхан", "Basil"):
        page = client.get(f"/catalog/?q={query}&lang=en").get_data(as_text=True)
        assert "Basil starter kit" in page, query


def test_search_with_no_match_says_so(client, seeded):
    assert "Nothing found" in client.get("/catalog/?q=zzzzzz&lang=en").get_data(as_text=True)


def test_sorting_by_price_puts_the_cheapest_first(client, app):
    make_product(name="Dear", price=900000)
    make_product(name="Cheap", price=100000)
    page = client.get("/catalog/?sort=price&lang=en").get_data(as_text=True)
    assert page.index("Cheap") < page.index("Dear")
    page = client.get("/catalog/?sort=-price&lang=en").get_data(as_text=True)
    assert page.index("Dear") < page.index("Cheap")


@pytest.mark.parametrize("query", ["page=-1", "page=abc", "page=99999999999", "sort=zzz", "q=" + "x" * 5000,
                                   "category=nope", "q=%27%22<script>", "page=1.5"])
def test_nonsense_catalogue_parameters_fall_back_to_defaults(client, seeded, query):
    assert client.get(f"/catalog/?{query}").status_code == 200


def test_the_catalogue_paginates(client, seeded):
    first = client.get("/catalog/?lang=en").get_data(as_text=True)
    second = client.get("/catalog/?lang=en&page=2").get_data(as_text=True)
    assert 'aria-current="page">1<' in first and 'aria-current="page">2<' in second


def test_the_product_page_shows_price_availability_and_whats_inside(client, app):
    product = make_product(stock=3, price=1290000, name="Tomato kit")
    page = client.get(f"/products/{product.slug}?lang=en").get_data(as_text=True)
    assert "₸12,900" in page and "Only 3 left" in page and "What's inside" in page


def test_a_sold_out_product_says_so_and_offers_no_add_button(client, app):
    product = make_product(stock=0)
    page = client.get(f"/products/{product.slug}?lang=en").get_data(as_text=True)
    assert "Sold out" in page and "Add to cart" not in page


def test_prices_are_formatted_for_russian(client, app):
    product = make_product(price=1290000)
    assert "12\u00a0900\u00a0₸" in app.test_client().get(f"/products/{product.slug}").get_data(as_text=True)


def test_an_inactive_or_unknown_product_is_404(client, app):
    hidden = make_product(is_active=False)
    assert client.get(f"/products/{hidden.slug}").status_code == 404
    assert client.get("/products/nothing-here").status_code == 404


def test_a_kit_with_a_course_offers_its_cohorts_with_the_soonest_open_one_chosen(client, app, later):
    course = make_course()
    make_cohort(course=course, capacity=0, starts_at=later(days=2))
    soonest = make_cohort(course=course, capacity=4, starts_at=later(days=9))
    kit = make_product(course=course)
    page = client.get(f"/products/{kit.slug}?lang=en").get_data(as_text=True)
    assert f'value="{soonest.id}" selected' in page


def test_course_dates_are_shown_in_almaty_time(client, app):
    from shop.clock import almaty

    cohort = make_cohort(starts_at=almaty(2031, 3, 1, 19, 0))
    page = client.get(f"/courses/{cohort.course.slug}?lang=en").get_data(as_text=True)
    assert "19:00" in page and "March 2031" in page


def test_the_course_page_says_a_full_cohort_has_no_seats(client, app):
    cohort = make_cohort(capacity=0)
    assert "No seats" in client.get(f"/courses/{cohort.course.slug}?lang=en").get_data(as_text=True)


def test_the_join_link_never_appears_on_public_pages(client, app):
    cohort = make_cohort(join_url="https://meet.example/secret-room")
    make_product(course=cohort.course)
    for path in ("/", "/courses/", f"/courses/{cohort.course.slug}", "/catalog/", "/api/cohorts"):
        assert "secret-room" not in client.get(path).get_data(as_text=True)


def test_unknown_pages_get_the_shops_404_page(client, app):
    response = client.get("/no/such/page?lang=en")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_static_files_carry_a_version_and_a_year_of_caching(client, seeded):
    page = client.get("/").get_data(as_text=True)
    css = page.split('href="/static/css/shop.css?v=')[1].split('"')[0]
    response = client.get(f"/static/css/shop.css?v={css}")
    assert response.status_code == 200 and "max-age=31536000" in response.headers["Cache-Control"]


def test_pages_load_nothing_from_another_host(client, seeded):
    # Links a person follows (the farm's WhatsApp, Telegram and map in the footer) load nothing by themselves.
    for path in ("/", "/catalog/", "/products/basil-starter-kit", "/courses/"):
        page = client.get(path).get_data(as_text=True)
        assert 'src="http' not in page and not re.search(r'<link[^>]+href="http(?!://shop\.test)', page)


def test_a_nul_character_in_the_query_is_refused_with_400(client, seeded):
    assert client.get("/catalog/?q=%00basil").status_code == 400
