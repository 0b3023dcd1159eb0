"""The learners of a kit for several people (`placing.named_learners`): the buyer may take the first seat by
leaving it empty; every other seat needs a name and an e-mail, and a refusal names the kit and the seat."""
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from shop.orders.placing import LearnerMissing, named_learners

FRIEND = ("  Айгерим   Сапарова ", " Aigerim@Example.KZ ")


def _kit_line(quantity=1):
    names = {"ru": "Набор на двоих", "en": "Kit for two"}
    return SimpleNamespace(quantity=quantity, product=SimpleNamespace(tr=lambda field, locale: names.get(locale, "")))


def _refusal(given, locale="en", quantity=1) -> str:
    with pytest.raises(LearnerMissing) as refused:
        named_learners(_kit_line(quantity), 2, given, locale)
    with force_locale("en"):
        return str(refused.value.message)


def test_the_buyer_takes_the_first_seat_left_empty_and_the_second_learner_is_tidied():
    assert named_learners(_kit_line(), 2, [("", ""), FRIEND], "en") == [
        {"name": "", "email": ""}, {"name": "Айгерим Сапарова", "email": "aigerim@example.kz"}]


def test_a_first_learner_who_is_named_keeps_the_seat_instead_of_the_buyer():
    assert named_learners(_kit_line(), 2, [FRIEND, ("Дана", "dana@example.kz")], "en") == [
        {"name": "Айгерим Сапарова", "email": "aigerim@example.kz"}, {"name": "Дана", "email": "dana@example.kz"}]


def test_every_seat_of_every_unit_is_named():
    learners = named_learners(_kit_line(quantity=2), 2, [("", "")] + [(f"L{n}", f"l{n}@example.kz") for n in (2, 3, 4)],
                              "en")
    assert [learner["name"] for learner in learners] == ["", "L2", "L3", "L4"]


@pytest.mark.parametrize("given, seat", [
    ([], 2),
    ([("", "")], 2),
    ([("Айгерим", "")], 1),
    ([("", ""), ("Дана", "not-an-address")], 2),
], ids=["nobody-named", "second-missing", "first-named-without-email", "second-email-invalid"])
def test_a_seat_without_a_name_and_a_valid_email_is_refused_naming_the_kit_in_the_buyers_language(given, seat):
    assert _refusal(given) == (
        f"«Kit for two» is for several people: enter the name and e-mail of learner {seat}.")


def test_a_long_name_is_cut_to_what_the_order_keeps():
    [_buyer, friend] = named_learners(_kit_line(), 2, [("", ""), ("Я" * 250, "friend@example.kz")], "en")
    assert friend["name"] == "Я" * 200
