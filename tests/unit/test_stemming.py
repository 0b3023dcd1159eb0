"""Word forms meet at one stem: the Kazakh suffix stripper and the words a query is made of."""
import pytest

from shop.search import kazakh
from shop.search.stemming import index_text, variants, words


@pytest.mark.parametrize("form", ["райхан", "райханның", "райханды", "райханға", "райхандар", "райханда",
                                  "райханнан", "райханмен", "райхандарымыздың", "райханында",
                                  "райхандарында", "райханына"])
def test_kazakh_case_plural_and_possessive_forms_share_the_stem(form):
    assert kazakh.stem(form) == "райхан"


def test_kazakh_stem_restores_the_consonant_voiced_before_an_ending():
    assert kazakh.stem("жинағы") == kazakh.stem("жинақ") == "жинақ"
    assert kazakh.stem("қызанағы") == kazakh.stem("қызанақтар") == "қызанақ"


def test_an_ambiguous_kazakh_form_stems_shorter_so_it_still_starts_the_indexed_stem():
    # райханы: "its basil" (-ы) or the accusative of a vowel-final word (-ны); a query may stem shorter than
    # the index, since it matches the start of an indexed stem.
    assert "райхан".startswith(kazakh.stem("райханы"))


def test_kazakh_stem_never_leaves_fewer_than_three_letters():
    assert kazakh.stem("ана") == "ана"
    assert kazakh.stem("аға") == "аға"


def test_query_words_drop_stop_words_single_letters_and_punctuation():
    assert words("Набор для базилика, и «мяты»!") == ["набор", "базилика", "мяты"]


def test_a_russian_word_form_and_its_index_meet():
    assert "базилик" in variants("базилика")
    assert " базилик " in index_text({"ru": ["Стартовый набор «Базилик»"]})


def test_english_plurals_meet_their_singular():
    assert "tomato" in variants("tomatoes")
    assert " kit " in index_text({"en": ["Balcony tomato kits"]})


def test_ye_is_read_as_e():
    assert words("Ёжик") == ["ежик"]
