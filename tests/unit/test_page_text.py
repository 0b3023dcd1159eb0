"""Information pages' text: paragraphs by empty lines, a few tags kept, everything else removed."""
from shop.pages.markup import clean_page_text, page_html


def test_empty_lines_make_paragraphs_and_single_line_breaks_are_kept():
    assert page_html("First line\nsecond line\n\n  Next paragraph  ") == (
        "<p>First line<br>\nsecond line</p>\n<p>Next paragraph</p>")


def test_a_heading_on_its_own_line_starts_a_block_and_lists_stay_as_written():
    html = page_html("<h2>1. Returns</h2>\nWithin 14 days.\n\n<ul>\n<li>seeds</li>\n</ul>")
    assert html == "<h2>1. Returns</h2>\n<p>Within 14 days.</p>\n<ul>\n<li>seeds</li>\n</ul>"


def test_scripts_styles_attributes_and_unsafe_links_are_removed():
    cleaned = clean_page_text('<h2 style="color:red" onclick="x()">T</h2><script>alert(1)</script>'
                              '<a href="javascript:alert(1)">a</a><img src=x onerror=alert(1)>'
                              '<a href="tel:+7701">b</a>')
    assert cleaned == '<h2>T</h2><a rel="noopener noreferrer">a</a><a href="tel:+7701" rel="noopener noreferrer">b</a>'


def test_nothing_gives_nothing():
    assert page_html(None) == "" and page_html("  \n\n ") == ""


def test_a_list_right_after_a_line_of_text_is_not_put_inside_a_paragraph():
    html = page_html("We do not take back:\n<ul>\n<li>seeds;</li>\n<li>worms.</li>\n</ul>\nWrite to us.")
    assert html == ("<p>We do not take back:</p>\n<ul>\n<li>seeds;</li>\n<li>worms.</li>\n</ul>\n"
                    "<p>Write to us.</p>")


def test_nested_lists_stay_whole():
    html = page_html("<ul><li>Kits<ul><li>herbs</li></ul></li><li>Seats</li></ul>")
    assert html == "<ul><li>Kits<ul><li>herbs</li></ul></li><li>Seats</li></ul>"
