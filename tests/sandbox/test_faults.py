"""Bad input never gets a 500 or a traceback, and never leaves half-written state."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.portal_kit import client, new_gateway, user

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["name", "environments", "services", "flow", "gatewayId", "displayName", "x"]
            )
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def owner(sandbox):
    with client(sandbox, user("fault")) as c:
        yield c, new_gateway(c)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values, kind=st.sampled_from(["issuers", "datasets", "products", "consumers"]))
def test_random_json_bodies_get_4xx_or_200(owner, body, kind):
    c, gw = owner
    method = c.post if kind == "consumers" else c.put
    r = method(f"/ds/api/v3/gateways/{gw}/{kind}", json=body)
    assert r.status_code < 500, r.text
    assert "Traceback" not in r.text
    r.json()  # always a JSON body


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values)
def test_random_gateway_bodies(owner, body):
    c, _gw = owner
    r = c.post("/ds/api/v3/gateways", json=body)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert r.json()["code"] == "validation_error"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_random_publish_text(owner, text):
    c, gw = owner
    r = c.put(
        f"/gw/api/v3/gateways/{gw}/gateway",
        data={"dryRun": "true"},
        files={"configFile": ("c.yaml", text.encode("utf-8"))},
    )
    assert r.status_code in (200, 400), r.text
    assert "error" in r.json() or "message" in r.json()


def test_body_too_large_is_413(owner, sandbox):
    c, gw = owner
    huge = json.dumps({"name": "x" * (sandbox.ctx.config.max_body_bytes + 10)})
    r = c.put(
        f"/ds/api/v3/gateways/{gw}/datasets",
        content=huge,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_deeply_nested_json_is_refused_cleanly(owner):
    c, gw = owner
    deep = "[" * 100_000 + "]" * 100_000
    r = c.put(
        f"/ds/api/v3/gateways/{gw}/products",
        content=deep,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422


def test_names_that_look_like_paths(owner):
    c, gw = owner
    for bad in ("../../etc", "gw/../x", "..", "a\x00b", "<script>"):
        r = c.post("/ds/api/v3/gateways", json={"gatewayId": bad})
        assert r.status_code == 422
        assert r.json()["message"] == "Unable to create Gateway"
    r = c.put(
        f"/ds/api/v3/gateways/{gw}/datasets",
        json={"name": "../../../etc/passwd", "title": "t"},
    )
    # Dataset names are plain keys in the store; a traversal-looking name is just a name.
    assert r.status_code == 200
    assert (
        c.get(f"/ds/api/v3/gateways/{gw}/datasets/..%2F..%2F..%2Fetc%2Fpasswd").status_code == 404
    )


def test_concurrent_creates_of_one_id_yield_one_gateway(sandbox):
    gw = "race-" + user("r")[2:8].replace("-", "a")
    with client(sandbox, user("racer")) as c:
        token = c.headers["Authorization"]

    def create(_):
        with client(sandbox) as each:
            each.headers["Authorization"] = token
            return each.post("/ds/api/v3/gateways", json={"gatewayId": gw}).status_code

    with ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(create, range(6)))
    assert codes == [200, 422, 422, 422, 422, 422]
    rows = sandbox.ctx.db.query("SELECT scope FROM permissions WHERE gateway_id=?", (gw,))
    assert len(rows) == 5


def test_wrong_methods_and_query_params(owner):
    c, gw = owner
    assert c.patch(f"/ds/api/v3/gateways/{gw}").status_code == 405
    r = c.get("/ds/api/v3/routes/availability")
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"serviceName", "gatewayId"}
    r = c.put(
        f"/gw/api/v3/gateways/{gw}/gateway",
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()) == (400, {"error": "Bad Request", "code": 400})
    r = c.put(
        f"/gw/api/v3/gateways/{gw}/gateway", content=b"x", headers={"Content-Type": "text/plain"}
    )
    assert (r.status_code, r.json()) == (400, {"error": "Missing input"})


def test_streamed_body_over_the_cap_is_413_not_500(owner, sandbox):
    c, gw = owner
    limit = sandbox.ctx.config.max_body_bytes

    def chunks():
        block = b"x" * 65536
        for _ in range(limit // len(block) + 2):
            yield block

    for method, url in (
        ("PUT", f"/ds/api/v3/gateways/{gw}/products"),
        ("PUT", f"/gw/api/v3/gateways/{gw}/gateway"),
        ("POST", "/ds/api/v3/gateways"),
    ):
        r = c.request(method, url, content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413, (url, r.status_code, r.text)
