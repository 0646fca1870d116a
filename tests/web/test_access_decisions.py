"""The provider's Approve / Reject on an access request, posted as the portal's forms (no
browser): a decision must be chosen, it is taken once, and a later one is refused with a page
that says the request no longer waits; an over-long application name is refused beside its
field."""

from __future__ import annotations

import httpx
import pytest

from tests.web.portal_world import tutorial_world
from tests.web.test_portal_forms import signed_in
from tui.sandbox.web.store import APP_NAME_MAX


@pytest.fixture
def owner(sandbox):
    """A gateway whose product needs approval; its owner is signed in on the portal."""
    world = tutorial_world(sandbox, approval=True)
    c, csrf = signed_in(world.base, world.username)
    product = sandbox.ctx.db.query_one(
        "SELECT id FROM products WHERE gateway_id=?", (world.gateway,)
    )["id"]
    yield world, c, csrf, product
    c.close()


def _request_form(c: httpx.Client, csrf: str, product: str, **fields: str) -> httpx.Response:
    data = {"csrf_token": csrf, "product": product, "preview": "true", **fields}
    return c.post("/devportal/requests/new", data=data)


def _pending_request(sandbox, c: httpx.Client, csrf: str, product: str, username: str) -> str:
    made = _request_form(c, csrf, product, action="create-application", app_name="Decider app")
    assert made.status_code == 200 and "Application created!" in made.text
    app_id = sandbox.ctx.db.query_one(
        "SELECT app_id FROM web_applications WHERE owner=? AND name=?", (username, "Decider app")
    )["app_id"]
    asked = _request_form(c, csrf, product, application=app_id, environment="dev")
    assert asked.status_code == 303, asked.text
    request_id = asked.headers["location"].split("/")[3]
    generated = c.post(f"/devportal/requests/{request_id}/credentials", data={"csrf_token": csrf})
    assert generated.status_code == 200, generated.text
    return request_id


def test_a_decision_must_be_chosen_and_is_taken_only_once(sandbox, owner):
    world, c, csrf, product = owner
    request_id = _pending_request(sandbox, c, csrf, product, world.username)
    url = f"/manager/access-requests/{request_id}"

    undecided = c.post(url, data={"csrf_token": csrf, "gateway": world.gateway, "action": ""})
    assert undecided.status_code == 400
    assert "Choose a decision" in undecided.text and "Press Approve or Reject." in undecided.text

    approved = c.post(url, data={"csrf_token": csrf, "gateway": world.gateway, "action": "approve"})
    assert (approved.status_code, approved.headers["location"]) == (
        303,
        "/manager/consumers?done=approved",
    )
    again = c.post(url, data={"csrf_token": csrf, "gateway": world.gateway, "action": "reject"})
    assert again.status_code == 409
    assert "Nothing to decide" in again.text
    assert "This access request is no longer waiting for a decision." in again.text
    state = sandbox.ctx.db.query_one(
        "SELECT state FROM web_access_requests WHERE id=?", (request_id,)
    )["state"]
    assert state == "approved"  # the late Reject changed nothing


def test_an_application_name_over_the_limit_is_refused_beside_its_field(sandbox, owner):
    world, c, csrf, product = owner
    long_name = "n" * (APP_NAME_MAX + 1)
    r = _request_form(c, csrf, product, action="create-application", app_name=long_name)
    assert r.status_code == 400
    assert f"Application Name must be at most {APP_NAME_MAX} characters" in r.text
    kept = sandbox.ctx.db.query_one(
        "SELECT 1 FROM web_applications WHERE owner=? AND name=?", (world.username, long_name)
    )
    assert kept is None


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (30, "a few seconds ago"),
        (60, "1 minute ago"),
        (2 * 3600, "2 hours ago"),
        (86400, "1 day ago"),
    ],
)
def test_the_review_page_says_how_long_ago_access_was_requested(sandbox, owner, age, words):
    world, c, csrf, product = owner
    request_id = _pending_request(sandbox, c, csrf, product, world.username)
    with sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "UPDATE web_access_requests SET created_at=created_at-? WHERE id=?", (age, request_id)
        )
    c.post(f"/admin/switch/{world.gateway}", data={"csrf_token": csrf})
    r = c.get(f"/manager/access-requests/{request_id}")
    assert r.status_code == 200, r.text
    assert f"<dt>Requested</dt><dd>{words}</dd>" in r.text


@pytest.mark.parametrize("path", ["/manager/gateways/detail", "/manager/consumers"])
def test_a_gateway_page_without_an_active_gateway_goes_to_my_gateways(sandbox, path):
    world = tutorial_world(sandbox)
    c, _csrf = signed_in(world.base, world.username)  # signed in, no gateway chosen yet
    try:
        r = c.get(path)
    finally:
        c.close()
    assert (r.status_code, r.headers["location"]) == (303, "/manager/gateways/list")
