"""Posting the portal's forms directly (no browser): every bad input answers a readable HTML
page with the portal's message, never a traceback or bare JSON."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.browser import learner
from tests.web.portal_world import tutorial_world

HIDDEN = re.compile(r'name="(csrf_token|login_token)" value="([^"]+)"')


def hidden(html: str, name: str) -> str:
    return next(v for n, v in HIDDEN.findall(html) if n == name)


def signed_in(base: str, username: str) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=base, timeout=10)
    form = c.get("/login")
    r = c.post(
        "/login",
        data={"login_token": hidden(form.text, "login_token"), "username": username, "f": "/"},
    )
    assert r.status_code == 303, r.text
    page = c.get("/manager/gateways/list")
    return c, hidden(page.text, "csrf_token")


@pytest.fixture
def signed(sandbox):
    world = tutorial_world(sandbox)
    c, csrf = signed_in(world.base, world.username)
    yield world, c, csrf
    c.close()


def test_sign_in_without_the_form_token_is_refused(sandbox):
    with httpx.Client(base_url=sandbox.info.portal_url, timeout=10) as c:
        r = c.post("/login", data={"username": learner()})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "aps_portal_session" not in r.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "path, fields, status, message",
    [
        ("/manager/consumers/delete", {"gateway": "", "client_id": ""}, 403, "Not authorized"),
        ("/admin/switch/gw-nope1", {}, 403, "Not authorized"),
        ("/devportal/requests/new", {"product": "nope"}, 404, "no such API"),
        ("/devportal/requests/nope/credentials", {}, 404, "no such access request"),
        ("/manager/access-requests/nope", {"gateway": "", "action": "approve"}, 403, ""),
    ],
)
def test_bad_posts_answer_a_page_with_the_reason(signed, path, fields, status, message):
    _world, c, csrf = signed
    r = c.post(path, data={"csrf_token": csrf, **fields})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert "Traceback" not in r.text
    assert message in r.text


def test_deleting_a_consumer_that_is_not_there_redisplays_the_page_with_the_reason(signed):
    world, c, csrf = signed
    c.post(f"/admin/switch/{world.gateway}", data={"csrf_token": csrf})
    r = c.post(
        "/manager/consumers/delete",
        data={"csrf_token": csrf, "gateway": world.gateway, "client_id": "00000000-00000000000"},
    )
    assert r.status_code == 400
    assert "Consumer delete failed: Consumer 00000000-00000000000 is not in this gateway" in r.text
    assert "<h1>Consumers</h1>" in r.text


def test_an_inactive_product_of_another_gateway_is_not_eligible(signed, sandbox):
    world, _c, _csrf = signed
    product = sandbox.ctx.db.query_one(
        "SELECT id FROM products WHERE gateway_id=?", (world.gateway,)
    )["id"]
    other, csrf = signed_in(world.base, learner("stranger"))
    try:
        page = other.get(f"/devportal/requests/new?product={product}&preview=true")
        assert page.status_code == 403
        r = other.post(
            "/devportal/requests/new",
            data={"csrf_token": csrf, "product": product, "preview": "false", "environment": "dev"},
        )
    finally:
        other.close()
    assert r.status_code == 400
    assert "Request failed: Product not elligible for requesting access" in r.text
