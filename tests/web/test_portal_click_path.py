"""The tutorial's portal clicks in a real browser, and that pages and REST are one system."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.browser import delete_consumer, request_credentials, sign_in
from tests.web.portal_world import call_api, rest_consumers, token_request, tutorial_world


def test_browser_made_credentials_get_a_token_the_api_accepts_and_delete_revokes_them(
    sandbox, page
):
    world = tutorial_world(sandbox)
    sign_in(page, world.base, world.username)
    creds = request_credentials(
        page, world.base, world.gateway, world.service, "my-app", submit="Request Access & Continue"
    )

    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{11}", creds["Client ID"])
    assert creds["Token Endpoint"] == sandbox.info.shared_idp_token_endpoint
    token = token_request(creds["Token Endpoint"], creds["Client ID"], creds["Client Secret"])
    assert token.status_code == 200, token.text
    jwt = token.json()["access_token"]
    assert call_api(sandbox, world.service, jwt).status_code == 200
    assert rest_consumers(sandbox, world) == [creds["Client ID"]]

    page.get_by_role("link", name="Done").click()
    page.wait_for_url(re.compile(r"/devportal/access$"))
    card = page.get_by_role("region", name=f"{world.service} API")
    expect(card.get_by_text("Approved")).to_be_visible()
    expect(card.get_by_text("Dev", exact=True)).to_be_visible()
    expect(card.get_by_text("my-app")).to_be_visible()

    delete_consumer(page, world.base, world.gateway, creds["Client ID"])
    expect(page.get_by_role("heading", name="0 Consumers")).to_be_visible()
    refused = token_request(creds["Token Endpoint"], creds["Client ID"], creds["Client Secret"])
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    live = call_api(sandbox, world.service, jwt)
    assert live.status_code == 401
    assert live.json() == {"message": f"Unable to find consumer {creds['Client ID']} for token"}
    assert rest_consumers(sandbox, world) == []

    page.get_by_role("link", name="My Access").click()
    expect(page.get_by_role("heading", name="No APIs yet")).to_be_visible()


def test_the_secret_is_shown_once(sandbox, page):
    world = tutorial_world(sandbox)
    sign_in(page, world.base, world.username)
    creds = request_credentials(page, world.base, world.gateway, world.service, "once-app")
    page.reload()  # the browser re-posts "Generate Secrets"
    expect(page.get_by_text("shown only once").first).to_be_visible()
    assert creds["Client Secret"] not in page.content()
    assert page.get_by_label("Client Secret", exact=True).count() == 0


def test_a_consumer_made_over_rest_shows_on_the_consumers_page(sandbox, page):
    from tests.sandbox.portal_kit import client, issue_consumer

    world = tutorial_world(sandbox)
    with client(sandbox, world.username) as c:
        env = c.get(f"/ds/api/v3/gateways/{world.gateway}/products").json()[0]["environments"][0]
        made = issue_consumer(c, world.gateway, env["appId"]).json()["clientId"]
    sign_in(page, world.base, world.username)
    delete_consumer(page, world.base, world.gateway, made)
    assert rest_consumers(sandbox, world) == []


def test_approval_required_waits_for_the_provider_and_the_learner_sees_the_state(sandbox, page):
    world = tutorial_world(sandbox, approval=True)
    sign_in(page, world.base, world.username)
    # with approval the submit button reads "Request Access" (no "& Continue")
    creds = request_credentials(
        page, world.base, world.gateway, world.service, "wait-app", submit="Request Access"
    )
    expect(page.get_by_text("Pending approval").first).to_be_visible()
    waiting = token_request(creds["Token Endpoint"], creds["Client ID"], creds["Client Secret"])
    assert waiting.status_code == 401
    assert waiting.json()["error"] == "invalid_client"

    page.goto(f"{world.base}/devportal/access")
    expect(page.get_by_text("Pending Approval")).to_be_visible()

    page.get_by_role("link", name="Gateways").click()
    page.get_by_role("button", name=re.compile(world.gateway)).click()
    page.get_by_role("link", name="Consumers", exact=True).click()
    expect(
        page.get_by_text(f"{world.username} has requested access to {world.service} API")
    ).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Review")).click()
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("status").filter(has_text="Access request approved").wait_for()

    approved = token_request(creds["Token Endpoint"], creds["Client ID"], creds["Client Secret"])
    assert approved.status_code == 200, approved.text
    page.goto(f"{world.base}/devportal/access")
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()


def test_a_rejected_request_never_gets_a_token(sandbox, page):
    world = tutorial_world(sandbox, approval=True)
    sign_in(page, world.base, world.username)
    creds = request_credentials(page, world.base, world.gateway, world.service, "no-app")
    page.goto(f"{world.base}/manager/consumers")
    page.get_by_role("link", name=re.compile(r"^Review")).click()
    page.get_by_role("button", name="Reject").click()
    page.get_by_role("status").filter(has_text="Access request rejected").wait_for()
    refused = token_request(creds["Token Endpoint"], creds["Client ID"], creds["Client Secret"])
    assert refused.status_code == 401
    assert rest_consumers(sandbox, world) == []
    page.goto(f"{world.base}/devportal/access")
    expect(page.get_by_text("Rejected", exact=True)).to_be_visible()


def test_a_request_left_before_generating_is_collected_from_my_access(sandbox, page):
    world = tutorial_world(sandbox)
    sign_in(page, world.base, world.username)
    from tests.web.browser import open_gateway

    open_gateway(page, world.base, world.gateway)
    page.get_by_role("link", name="Preview in Directory").click()
    page.get_by_role("link", name=world.service, exact=True).click()
    page.get_by_role("link", name="Request Access").click()
    page.get_by_role("button", name="Create Application").click()
    page.get_by_label("Application Name").fill("later-app")
    page.get_by_role("button", name="Create", exact=True).click()
    page.get_by_label("dev", exact=True).check()
    page.get_by_role("button", name="Request Access & Continue").click()
    expect(page.get_by_role("status").filter(has_text="Request submitted")).to_be_visible()
    page.get_by_role("link", name="My Access").click()  # leave without generating
    expect(page.get_by_text("Pending Approval")).to_be_visible()
    assert rest_consumers(sandbox, world) == []  # nothing exists in Keycloak or Kong yet

    page.get_by_role("link", name="Collect Credentials").click()
    page.get_by_role("button", name="Generate Secrets").click()
    client_id = page.get_by_label("Client ID", exact=True).input_value()
    assert rest_consumers(sandbox, world) == [client_id]
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()
