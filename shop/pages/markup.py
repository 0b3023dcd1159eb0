"""Staff-written page text: a few formatting tags, cleaned by nh3; paragraphs are separated by an empty line."""
import re

import nh3
from markupsafe import Markup

PAGE_TAGS = {"h2", "h3", "h4", "p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a"}
# A heading, a list or a paragraph written with its tags: kept as written, never wrapped in another paragraph.
_STRUCTURE = re.compile(r"<(h[2-4]|ul|ol|p)>")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def clean_page_text(text: str) -> str:
    """Return the text with only the allowed tags left: no scripts, styles or attributes but a link's address.

    Saved texts are cleaned before they are stored, so a kept version is exactly what visitors were shown.
    """
    cleaned = nh3.clean(text or "", tags=PAGE_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer",
                        url_schemes={"http", "https", "mailto", "tel"})
    return cleaned.replace("\r\n", "\n").replace("\r", "\n").strip()


def _end_of(text: str, start: int, tag: str) -> int:
    """Return where the element opened at ``start`` ends, counting nested lists (the text's end when unclosed)."""
    depth, tokens = 0, re.compile(rf"<(/?){tag}>")
    for token in tokens.finditer(text, start):
        depth += -1 if token.group(1) else 1
        if depth == 0:
            return token.end()
    return len(text)


def _paragraph(text: str) -> list[str]:
    text = text.strip()
    return ["<p>" + text.replace("\n", "<br>\n") + "</p>"] if text else []


def _blocks(block: str) -> list[str]:
    """Split a block into paragraphs of plain lines and the headings, lists and paragraphs written with tags."""
    html, position = [], 0
    while (found := _STRUCTURE.search(block, position)) is not None:
        end = _end_of(block, found.start(), found.group(1))
        html += [*_paragraph(block[position:found.start()]), block[found.start():end].strip()]
        position = end
    return html + _paragraph(block[position:])


def page_html(text: str | None) -> Markup:
    """Show page text: blocks separated by an empty line become paragraphs, a single line break is kept, and a
    heading, a list or a paragraph written with its tags stays as written wherever it starts."""
    blocks = _PARAGRAPH_BREAK.split(clean_page_text(text or ""))
    return Markup("\n".join(html for block in blocks for html in _blocks(block)))
