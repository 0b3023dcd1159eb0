"""Search understands word forms in Russian, Kazakh and English, staff's synonyms, and ranks what it finds."""
import re

import pytest

from shop.extensions import db
from shop.models import Product
from shop.search.services import reindex, save_synonyms, synonym_lines
from shop.seed import seed_demo
from tests.views.test_query_counts import counting


@pytest.fixture
def shop(app, now):
    seed_demo(now)
    return app


def _found(client, query: str) -> list[str]:
    """Return the product slugs the search page lists, in order."""
    response = client.get("/catalog/", query_string={"q": query})
    assert response.status_code == 200
    grid = response.text.split('class="result-count"', 1)[1].split('class="empty"', 1)[0]
    return list(dict.fromkeys(re.findall(r'href="/(?:en/|kk/)?products/([\w-]+)"', grid)))


def test_a_russian_word_form_finds_the_basil_kit(shop, client):
    found = _found(client, "базилика")
    assert found[0] == "basil-starter-kit"
    assert "mint-starter-kit" not in found


def test_a_synonym_finds_the_tomato_kits(shop, client):
    found = _found(client, "помидоры")
    assert {"cherry-tomato-kit", "balcony-tomato-kit"} <= set(found)
    assert "basil-starter-kit" not in found


def test_coriander_finds_cilantro_through_a_synonym(shop, client):
    assert _found(client, "кориандр")[0] == "cilantro-starter-kit"


def test_a_kazakh_word_form_finds_its_kit(shop, client):
    assert _found(client, "райханның")[0] == "basil-starter-kit"
    assert "cherry-tomato-kit" in _found(client, "қызанақтары")


def test_english_plural_forms_find_the_kit(shop, client):
    assert {"cherry-tomato-kit", "balcony-tomato-kit"} <= set(_found(client, "tomatoes"))
    assert _found(client, "basils")[0] == "basil-starter-kit"


def test_name_matches_rank_above_description_matches(shop, client):
    found = _found(client, "базилик")
    assert found[0] == "basil-starter-kit"
    assert "spicy-herbs-trio" in found[1:]  # basil only in its description


def test_more_matched_words_rank_first(shop, client):
    found = _found(client, "мята базилик кинза")
    assert found[0] == "spicy-herbs-trio"


def test_no_results_suggest_categories_and_popular_kits(shop, client):
    page = client.get("/catalog/?q=вертолёт").text
    assert "Nothing found" in page
    assert 'href="/en/catalog/?category=tomatoes"' in page
    assert "Popular kits" in page and "/en/products/basil-starter-kit" in page


def test_search_lists_matching_courses(shop, client):
    page = client.get("/catalog/?q=микрозелени").text
    assert "/en/courses/microgreens-at-home" in page


def test_staff_saved_product_is_found_by_its_new_name_at_once(shop, client):
    kit = db.session.query(Product).filter_by(slug="mint-starter-kit").one()
    kit.name_ru = "Набор «Шалфей»"
    db.session.commit()
    assert _found(client, "шалфея")[0] == "mint-starter-kit"


def test_synonyms_saved_by_staff_expand_the_query(shop, client):
    assert _found(client, "шпинат") == []
    save_synonyms(["шпинат, руккола", "", "  "])
    assert "шпинат, руккола" in synonym_lines()
    assert _found(client, "шпината")[0] == "arugula-starter-kit"


def test_a_synonym_group_longer_than_a_short_text_is_kept_whole(shop, client):
    names = [f"травa{number}" for number in range(120)] + ["руккола", "шпинат"]
    save_synonyms([", ".join(names)])
    assert synonym_lines() == [", ".join(names)]
    assert _found(client, "шпината")[0] == "arugula-starter-kit"


def test_reindex_rebuilds_every_row(shop, client):
    db.session.execute(db.update(Product).values(search_name="", search_body=""))
    db.session.commit()
    assert _found(client, "базилика") == []
    assert reindex() > 0
    assert _found(client, "базилика")[0] == "basil-starter-kit"


def test_search_page_query_count_does_not_grow_with_words_or_results(shop, client):
    def count(query):
        with counting() as statements:
            assert client.get("/catalog/", query_string={"q": query}).status_code == 200
        return len(statements)

    count("мята")  # the first page of all also loads the shop's details, kept for later pages
    assert count("набор") == count("базилик мята кинза томаты микрозелень курс tomato seeds")


def test_odd_search_input_gives_a_page_not_an_error(shop, client):
    for query in ["%", "_", "\\", "' or 1=1 --", "а" * 300, "🌱"]:
        assert client.get("/catalog/", query_string={"q": query}).status_code == 200


def test_staff_edit_synonyms_and_the_storefront_uses_them(shop, client, login_as):
    from tests.factories import make_user

    login_as(make_user(role="staff", email="editor@cityfarm.kz"))
    form = client.get("/admin/search-synonyms")
    assert "томат, помидор" in form.text
    response = client.post("/admin/search-synonyms", data={"groups": "шпинат, руккола\nтомат, помидор"})
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert synonym_lines() == ["шпинат, руккола", "томат, помидор"]
    assert _found(client, "шпинат")[0] == "arugula-starter-kit"
    assert _found(client, "кориандр") == []  # its group was removed


def test_customers_cannot_edit_synonyms(shop, client, login_as):
    from tests.factories import make_user

    login_as(make_user(role="customer", email="buyer@example.kz"))
    assert client.post("/admin/search-synonyms", data={"groups": ""}).status_code == 403
    assert "томат, помидор, tomato, қызанақ" in synonym_lines()


def test_flask_shop_reindex_rebuilds_the_index_from_the_command_line(shop, runner, client):
    db.session.execute(db.update(Product).values(search_name="", search_body=""))
    db.session.commit()
    result = runner.invoke(args=["shop", "reindex"])
    assert result.exit_code == 0 and "Search index rebuilt" in result.output
    assert _found(client, "базилика")[0] == "basil-starter-kit"


def test_a_kazakh_reader_searches_in_kazakh(shop, app):
    page = app.test_client().get("/kk/catalog/", query_string={"q": "райханды"}).text
    assert "«Райхан» бастапқы жинағы" in page
