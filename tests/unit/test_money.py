import pytest

from shop.money import AmountError, format_money, parse_tenge, tenge


@pytest.mark.parametrize(("locale", "expected"),
                         [("ru", "12\u00a0900\u00a0₸"), ("kk", "12\u00a0900\u00a0₸"), ("en", "₸12,900")])
def test_whole_tenge_are_shown_without_decimals_in_each_language(locale, expected):
    assert format_money(1290000, locale) == expected


def test_tiyn_are_shown_when_the_amount_is_not_whole():
    assert format_money(1290050, "ru") == "12\u00a0900,50\u00a0₸"


def test_zero_is_formatted_as_zero_tenge():
    assert format_money(0, "ru") == "0\u00a0₸"


def test_tenge_converts_to_tiyn():
    assert tenge(7900) == 790000


@pytest.mark.parametrize(("text", "expected"), [("12 900", 1290000), ("12900.50", 1290050), ("12900,5", 1290050)])
def test_staff_prices_parse_into_tiyn(text, expected):
    assert parse_tenge(text) == expected


@pytest.mark.parametrize("text", ["-5", "abc", "1.234", "", "12.345.678,9", "1e3", "NaN", "²", "١٢٣", "12..5"])
def test_nonsense_prices_are_refused(text):
    with pytest.raises(AmountError):
        parse_tenge(text)


@pytest.mark.parametrize("text", ["12,900", "1,000", "1.000", "1,234,567", "12,900.50"])
def test_a_price_whose_comma_could_be_thousands_is_refused_not_guessed(text):
    with pytest.raises(AmountError) as refused:
        parse_tenge(text)
    assert "thousands" in str(refused.value.message)


@pytest.mark.parametrize(("text", "expected"), [("19.99", 1999), ("0.29", 29), ("1 234 567,89", 123456789),
                                                ("12 900 ₸", 1290000), ("0,1", 10)])
def test_decimal_prices_parse_exactly_where_floats_would_not(text, expected):
    assert parse_tenge(text) == expected


def test_a_refused_amount_keeps_what_was_typed_and_says_how_to_write_it():
    with pytest.raises(AmountError) as refused:
        parse_tenge("abc")
    assert str(refused.value) == "abc"
    assert str(refused.value.message) == "Enter an amount in tenge, like 12 900 or 12900.50."
    with pytest.raises(AmountError) as ambiguous:
        parse_tenge("12,900")
    assert str(ambiguous.value) == "12,900"
    assert str(ambiguous.value.message) == "Write thousands with a space, not a comma or dot: «12 900», not «12,900»."


def test_the_default_language_is_russian_and_tiyn_keep_two_decimals_in_english():
    assert format_money(1290000) == "12\u00a0900\u00a0₸"
    assert format_money(1290050, "en") == "₸12,900.50"
    assert format_money(5, "ru") == "0,05\u00a0₸"


@pytest.mark.parametrize(("text", "expected"), [("12\u00a0900", 1290000), ("12\u202f900", 1290000), ("7₸", 700),
                                                ("9999999999999", 999999999999900)])
def test_every_kind_of_space_and_the_tenge_sign_are_ignored_up_to_thirteen_digits(text, expected):
    assert parse_tenge(text) == expected


def test_fourteen_digits_are_not_a_price():
    with pytest.raises(AmountError):
        parse_tenge("12345678901234")
