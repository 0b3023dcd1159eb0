"""A small suffix-stripping stemmer for Kazakh nouns: case, possessive and plural endings.

Kazakh stacks its endings in a fixed order, root + plural + possessive + case (райхан-дар-ымыз-дың), so they
are taken off from the outside in, one layer each, the longest matching ending first, never leaving a stem
shorter than three letters. A root's final voiceless consonant that turned voiced before a vowel ending
(жинақ → жинағы) is restored, so both forms meet at one stem. Without a dictionary some forms stay
ambiguous (райханы: "its basil", or a vowel-final word in the accusative); those stem shorter, which a query
tolerates, since it matches the start of an indexed stem.
"""

CASE = (
    "ның", "нің", "дың", "дің", "тың", "тің",  # genitive
    "ға", "ге", "қа", "ке", "на", "не",  # dative
    "ны", "ні", "ды", "ді", "ты", "ті", "ын", "ін",  # accusative
    "да", "де", "та", "те",  # locative (after a possessive: -ын-да, the н taken with the possessive)
    "нан", "нен", "дан", "ден", "тан", "тен",  # ablative
    "ымен", "імен", "мен", "бен", "пен",  # instrumental
)
POSSESSIVE = (
    "ымыз", "іміз", "мыз", "міз", "ыңыз", "іңіз", "ңыз", "ңіз",
    "сын", "сін", "ын", "ін",  # the third person before a case ending (райхан-ын-да)
    "ым", "ім", "ың", "ің", "сы", "сі", "ы", "і",
)
PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
LAYERS = tuple(tuple(sorted(layer, key=len, reverse=True)) for layer in (CASE, POSSESSIVE, PLURAL))
MIN_STEM = 3
DEVOICED = {"ғ": "қ", "г": "к", "б": "п"}
VOWELS = set("аәеёиоөуұүыіэюя")


def stem(word: str) -> str:
    """Return the stem of one lower-case Kazakh word."""
    result = word
    for layer in LAYERS:
        for ending in layer:
            if result.endswith(ending) and len(result) - len(ending) >= MIN_STEM:
                result = result[: -len(ending)]
                break
    if result != word and result[-1] in DEVOICED and word[len(result)] in VOWELS:
        result = result[:-1] + DEVOICED[result[-1]]
    return result
