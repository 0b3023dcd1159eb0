"""Journey: a stranger who registers with a guest learner's e-mail gets nothing; the learner's invitation works."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import assert_stayed_home
from tests.e2e.test_kit_with_course import KIT, link_in_mail

pytestmark = pytest.mark.e2e
LEARNER = {"#email": "saule.guest@example.kz", "#full_name": "Сауле Ахметова", "#phone": "+7 701 555 44 33"}


def _guest_buys_the_kit_with_its_course(page) -> str:
    page.goto(f"/products/{KIT}?lang=en")
    page.locator("form.buy button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    page.locator('a.button[href$="/checkout"]').click()
    for selector, value in LEARNER.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=pickup]").check()
    page.locator("#accept_terms").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()
    page.locator('button[name=outcome][value="pay"]').click()
    expect(page.locator(".status-paid")).to_be_visible()
    return re.search(r"/orders/([\w-]+)", page.url).group(1)


def test_a_stranger_registering_a_guest_learners_email_gets_no_access_and_the_invitation_still_works(
        open_page, live_shop):
    learner = open_page(viewport={"width": 1280, "height": 800})
    public_id = _guest_buys_the_kit_with_its_course(learner)
    invitation = link_in_mail(live_shop, LEARNER["#email"], "/account/invitation/")
    learner.context.clear_cookies()

    stranger = open_page(viewport={"width": 1280, "height": 800})
    stranger.goto("/account/register?lang=en")
    stranger.locator("#email").fill(LEARNER["#email"])
    stranger.locator("#full_name").fill("Stranger")
    stranger.locator("#password").fill("stranger-knows-a-password")
    stranger.locator("#accept_terms").check()
    stranger.locator('form[action$="/account/register"] button[type=submit]').click()
    expect(stranger).to_have_url(re.compile(r"/account/login"))
    stranger.goto("/learn/")
    expect(stranger).to_have_url(re.compile(r"/account/login"))
    assert stranger.request.get(f"/orders/{public_id}").status == 404

    learner.goto(invitation)
    learner.locator("input[name=password]").fill("my-own-microgreens-secret")
    learner.locator("main form button[type=submit]").click()
    learner.goto("/account/?lang=en")
    order_link = learner.locator(f'a[href$="/orders/{public_id}"]')
    expect(order_link).to_be_visible()
    order_link.click()
    expect(learner.locator(".status-paid")).to_be_visible()
    learner.goto("/learn/?lang=en")
    expect(learner.locator("main")).to_contain_text("Microgreens at home")
    assert_stayed_home(learner)
    assert_stayed_home(stranger)
