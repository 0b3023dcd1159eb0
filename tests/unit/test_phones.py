"""Kazakh phone numbers come out in one format, whichever way the buyer typed them."""
import pytest

from shop.phones import InvalidPhone, dial_digits, normalise_phone


@pytest.mark.parametrize("typed", [
    "+7 701 234 56 78", "+77012345678", "+7 (701) 234-56-78", "8 701 234 56 78", "87012345678",
    "8 (701) 234-56-78", "701 234 56 78", "7012345678", "7 701 234 5678", " +7-701-234-56-78 ",
])
def test_every_usual_way_of_writing_a_kazakh_number_gives_one_format(typed):
    assert normalise_phone(typed) == "+7 701 234 56 78"


def test_a_city_number_of_almaty_is_kazakh_too():
    assert normalise_phone("8 727 250 00 00") == "+7 727 250 00 00"


@pytest.mark.parametrize("typed", [
    "", "   ", "12345", "+7 916 123 45 67", "8 916 123 45 67", "+8 701 234 56 78", "+7012345678",
    "701 234 56 7", "+7 701 234 56 789", "+7 701 ABC 56 78", "+7 701 234 56 78 доб. 5", "++7 701 234 56 78",
    "+44 20 7946 0958",
])
def test_anything_else_is_refused(typed):
    with pytest.raises(InvalidPhone):
        normalise_phone(typed)


@pytest.mark.parametrize("stored", ["+7 701 234 56 78", "8 (701) 234-56-78", "7012345678"])
def test_a_kazakh_number_gives_the_eleven_digits_to_dial(stored):
    assert dial_digits(stored) == "77012345678"


@pytest.mark.parametrize("stored", [None, "", "+44 20 7946 0958", "+7 916 123 45 67", "ask at the door"])
def test_a_number_that_is_not_kazakh_gives_nothing_to_dial(stored):
    assert dial_digits(stored) == ""
