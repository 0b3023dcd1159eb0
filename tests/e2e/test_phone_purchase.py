"""Journey: the Kazakh basil purchase on a phone, where no page scrolls sideways."""
import pytest

from tests.e2e.journeys import assert_stayed_home, buy_two_basil_kits_in_kazakh

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}

# The elements that stick out past the right edge of the screen, to name them when a page overflows.
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5)
  .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
             + ' right=' + Math.round(el.getBoundingClientRect().right))"""


def assert_fits_the_screen(page) -> None:
    page.wait_for_load_state("load")
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} scrolls sideways ({width}px > {screen}px): {page.evaluate(WIDER_THAN_SCREEN)}"


def test_a_phone_visitor_buys_two_basil_kits_and_no_page_overflows_sideways(open_page):
    page = open_page(**PHONE)
    buy_two_basil_kits_in_kazakh(page, on_each_page=assert_fits_the_screen)
    assert_stayed_home(page)
