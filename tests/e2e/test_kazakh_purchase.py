"""Journey: a visitor switches to Kazakh, finds the basil kit, buys two by courier and pays."""
import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import assert_stayed_home, buy_two_basil_kits_in_kazakh

pytestmark = pytest.mark.e2e


def test_a_visitor_buys_two_basil_kits_in_kazakh_and_the_shop_has_two_fewer(page):
    order_url = buy_two_basil_kits_in_kazakh(page)
    page.goto(order_url)
    expect(page.locator(".status-paid")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody tr td").nth(2)).to_have_text("2")
    assert_stayed_home(page)
