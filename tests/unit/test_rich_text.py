from shop.templating import rich_text


def test_staff_formatting_survives_and_scripts_do_not():
    html = rich_text('<strong>Fresh</strong> basil<script>alert(1)</script><img src=x onerror=alert(1)>')
    assert "<strong>Fresh</strong>" in html and "<script" not in html and "onerror" not in html


def test_links_lose_javascript_and_gain_a_safe_rel():
    html = rich_text('<a href="javascript:alert(1)">x</a> <a href="https://cityfarm.kz">farm</a>')
    assert "javascript:" not in html and 'rel="noopener noreferrer"' in html


def test_line_breaks_are_kept():
    assert rich_text("line one\nline two") == "line one<br>\nline two"
