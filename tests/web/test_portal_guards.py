"""What must hold on the portal pages: other learners see nothing, forms cannot be forged,
bad input comes back as the form with the message beside the field, cookies are HttpOnly."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.sandbox.portal_kit import client, issue_consumer
from tests.web.browser import learner, open_gateway, sign_in
from tests.web.portal_world import rest_consumers, tutorial_world


def _csrf(page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


@pytest.fixture
def owned_consumer(sandbox):
    """A tutorial gateway with one consumer: (world, client id, dataset id)."""
    world = tutorial_world(sandbox)
    with client(sandbox, world.username) as c:
        env = c.get(f"/ds/api/v3/gateways/{world.gateway}/products").json()[0]["environments"][0]
        made = issue_consumer(c, world.gateway, env["appId"]).json()["clientId"]
        dataset_id = c.get(f"/ds/api/v3/gateways/{world.gateway}/directory").json()[0]["id"]
    return world, made, dataset_id


def test_another_learner_gets_a_403_page_for_a_gateway_they_do_not_belong_to(
    sandbox, owned_consumer, second_page
):
    world, client_id, dataset_id = owned_consumer
    other = second_page
    sign_in(other, world.base, learner("other"))
    assert other.get_by_role("button", name=re.compile(world.gateway)).count() == 0
    token = _csrf(other)  # the other learner's own, valid token

    switched = other.request.post(
        f"{world.base}/admin/switch/{world.gateway}", form={"csrf_token": token}
    )
    assert switched.status == 403
    assert "text/html" in switched.headers["content-type"]
    assert "Not authorized" in switched.text()

    other.goto(f"{world.base}/devportal/api-directory/{dataset_id}?preview=true")
    expect(other.get_by_role("heading", name="Not authorized")).to_be_visible()
    assert world.service not in other.content()

    deleted = other.request.post(
        f"{world.base}/manager/consumers/delete",
        form={"csrf_token": token, "gateway": world.gateway, "client_id": client_id},
    )
    assert deleted.status == 403
    assert "Not authorized" in deleted.text()
    assert rest_consumers(sandbox, world) == [client_id]


def test_a_form_posted_without_the_session_csrf_token_is_refused(sandbox, owned_consumer, page):
    world, client_id, _ = owned_consumer
    sign_in(page, world.base, world.username)
    forged = page.request.post(
        f"{world.base}/manager/consumers/delete",
        form={"csrf_token": "not-the-token", "gateway": world.gateway, "client_id": client_id},
    )
    assert forged.status == 403
    assert "Form refused" in forged.text()
    assert rest_consumers(sandbox, world) == [client_id]


def test_a_post_from_another_origin_is_refused_even_with_the_token(sandbox, owned_consumer, page):
    world, client_id, _ = owned_consumer
    sign_in(page, world.base, world.username)
    open_gateway(page, world.base, world.gateway)
    cross = page.request.post(
        f"{world.base}/manager/consumers/delete",
        form={"csrf_token": _csrf(page), "gateway": world.gateway, "client_id": client_id},
        headers={"Origin": "http://attacker.example"},
    )
    assert cross.status == 403
    assert rest_consumers(sandbox, world) == [client_id]


def test_the_session_cookie_is_httponly_and_samesite(sandbox, page):
    sign_in(page, sandbox.info.portal_url, learner())
    cookie = next(c for c in page.context.cookies() if c["name"] == "aps_portal_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""


def test_sign_out_ends_the_session(sandbox, page):
    base = sandbox.info.portal_url
    sign_in(page, base, learner())
    page.get_by_role("button", name="Logout").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()
    page.goto(f"{base}/manager/gateways/list")
    expect(page.get_by_role("heading", name="Login for API Providers")).to_be_visible()


def test_a_bad_username_comes_back_beside_the_username_field(sandbox, page):
    page.goto(f"{sandbox.info.portal_url}/login")
    page.get_by_label("Username").fill("no spaces allowed!")
    page.get_by_role("button", name="Login with IDIR").click()
    field = page.get_by_label("Username")
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator("#username-error").inner_text().startswith("Enter a username of")
    assert field.input_value() == "no spaces allowed!"


def test_bad_request_access_input_is_shown_beside_each_field(sandbox, page):
    world = tutorial_world(sandbox)
    sign_in(page, world.base, world.username)
    open_gateway(page, world.base, world.gateway)
    page.get_by_role("link", name="Preview in Directory").click()
    page.get_by_role("link", name=world.service, exact=True).click()
    page.get_by_role("link", name="Request Access").click()

    page.get_by_role("button", name="Create Application").click()
    page.get_by_role("button", name="Create", exact=True).click()  # no name
    assert page.locator("#app_name-error").inner_text() == "Application Name is required"
    assert page.get_by_label("Application Name").get_attribute("aria-invalid") == "true"

    page.get_by_role("button", name="Request Access & Continue").click()  # nothing chosen
    assert page.locator("#application-error").inner_text() == (
        "Select an application to consume the API"
    )

    page.get_by_role("button", name="Create Application").click()
    page.get_by_label("Application Name").fill("field-app")
    page.get_by_role("button", name="Create", exact=True).click()
    page.get_by_role("button", name="Request Access & Continue").click()  # no environment
    assert page.locator("#environment-error").inner_text() == "Select an API Environment"
    assert page.get_by_label("Applications").locator("option:checked").inner_text() == "field-app"


def test_requesting_twice_for_one_application_says_it_already_has_access(sandbox, page):
    world = tutorial_world(sandbox)
    sign_in(page, world.base, world.username)
    from tests.web.browser import request_credentials

    request_credentials(page, world.base, world.gateway, world.service, "twice-app")
    page.goto(f"{world.base}/devportal/api-directory/your-products")
    page.get_by_role("link", name=world.service, exact=True).click()
    page.get_by_role("link", name="Request Access").click()
    page.get_by_label("Applications").select_option(label="twice-app")
    page.get_by_label("dev", exact=True).check()
    page.get_by_role("button", name="Request Access & Continue").click()
    assert page.locator("#application-error").inner_text() == "This application already has access."


def test_unknown_pages_and_requests_answer_a_page_not_json(sandbox, page):
    base = sandbox.info.portal_url
    sign_in(page, base, learner())
    response = page.goto(f"{base}/devportal/requests/nope/credentials")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    response = page.goto(f"{base}/devportal/api-directory/no-such-id")
    assert response.status == 404
    assert "text/html" in response.headers["content-type"]


def test_the_delete_path_works_from_the_keyboard_and_cancel_keeps_the_consumer(
    sandbox, owned_consumer, page
):
    world, client_id, _ = owned_consumer
    sign_in(page, world.base, world.username)
    open_gateway(page, world.base, world.gateway)
    page.get_by_role("link", name="Consumers", exact=True).click()
    menu = page.get_by_role("button", name=f"Actions for {client_id}")
    menu.focus()
    page.keyboard.press("Enter")
    item = page.get_by_role("menuitem", name="Delete Consumer...")
    assert item.evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")
    assert menu.evaluate("el => el === document.activeElement")
    assert menu.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # on the focused menu item: the confirmation opens
    dialog = page.get_by_role("dialog", name=f"Delete {client_id} Consumer?")
    expect(dialog.get_by_text("This action cannot be undone")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert rest_consumers(sandbox, world) == [client_id]
