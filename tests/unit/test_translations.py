"""Every text the shop shows is in the Russian and Kazakh catalogues, wherever in the code or templates it is."""
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _every_message_in_the_source() -> set:
    """Extract as `make translations-extract` does, walking every folder but hidden ones (``_macros`` too)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS,
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        found.add(message)
    return found


@pytest.mark.parametrize("locale", ["ru", "kk"])
def test_every_text_on_the_pages_has_a_translation(locale):
    with open(ROOT / f"shop/translations/{locale}/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po, locale=locale)
    translated = {
        message.id for message in catalogue
        if message.id and (all(message.string) if isinstance(message.string, tuple) else message.string)
    }
    missing = {message for message in _every_message_in_the_source() if message not in translated}
    assert not missing, f"untranslated in {locale}: {sorted(map(str, missing))}"
