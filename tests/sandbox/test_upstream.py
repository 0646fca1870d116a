"""The built-in httpbin-compatible upstream, called directly on its own origin."""

from __future__ import annotations

import uuid

import httpx
import pytest


def test_index_answers_for_status_probes(sandbox) -> None:
    response = httpx.get(sandbox.ctx.upstream_url + "/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_uuid(sandbox) -> None:
    response = httpx.get(sandbox.ctx.upstream_url + "/uuid")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["uuid"]
    assert uuid.UUID(body["uuid"]).version == 4
    assert response.text.startswith('{\n  "uuid": ')  # httpbin's indentation


def test_get_and_headers(sandbox) -> None:
    base = sandbox.ctx.upstream_url
    got = httpx.get(
        f"{base}/get", params=[("a", "1"), ("b", "2"), ("b", "3")], headers={"X-Hi": "yo"}
    )
    body = got.json()
    assert body["args"] == {"a": "1", "b": ["2", "3"]}
    assert body["headers"]["X-Hi"] == "yo"
    assert body["origin"] == "127.0.0.1"
    assert body["url"] == f"{base}/get?a=1&b=2&b=3"
    headers = httpx.get(f"{base}/headers", headers={"x-consumer-id": "abc"}).json()["headers"]
    assert headers["X-Consumer-Id"] == "abc"  # title-cased as httpbin shows them
    assert httpx.post(f"{base}/get").status_code == 405


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_anything_echoes_any_method(sandbox, method: str) -> None:
    response = httpx.request(
        method, sandbox.ctx.upstream_url + "/anything/deep/path", params={"q": "1"}, json={"k": "v"}
    )
    body = response.json()
    assert body["method"] == method
    assert body["url"].endswith("/anything/deep/path?q=1")
    assert body["json"] == {"k": "v"}
    assert body["data"] == '{"k":"v"}'
    assert body["args"] == {"q": "1"}


def test_anything_form_and_binary(sandbox) -> None:
    base = sandbox.ctx.upstream_url
    assert httpx.post(f"{base}/anything", data={"x": "y"}).json()["form"] == {"x": "y"}
    binary = httpx.post(f"{base}/anything", content=b"\xff\xfe").json()
    assert binary["data"].startswith("data:application/octet-stream;base64,")


@pytest.mark.parametrize("code", [200, 201, 204, 401, 404, 418, 500, 503])
def test_status(sandbox, code: int) -> None:
    response = httpx.get(f"{sandbox.ctx.upstream_url}/status/{code}")
    assert response.status_code == code
    if code == 401:
        assert response.headers["www-authenticate"].startswith("Basic")


def test_status_choices_and_bad_codes(sandbox) -> None:
    base = sandbox.ctx.upstream_url
    assert httpx.get(f"{base}/status/200:0,500:1").status_code == 500
    assert httpx.get(f"{base}/status/abc").status_code == 400
    assert httpx.get(f"{base}/status/99").status_code == 400


def test_delay(sandbox, monkeypatch) -> None:
    from tui.sandbox import upstream

    monkeypatch.setattr(upstream, "MAX_DELAY", 0.05)  # n is capped: /delay/100 returns quickly
    response = httpx.get(f"{sandbox.ctx.upstream_url}/delay/100", timeout=5)
    assert response.status_code == 200
    assert response.json()["url"].endswith("/delay/100")
    assert httpx.get(f"{sandbox.ctx.upstream_url}/delay/x").status_code == 400


def test_ip_and_user_agent(sandbox) -> None:
    base = sandbox.ctx.upstream_url
    assert httpx.get(f"{base}/ip").json() == {"origin": "127.0.0.1"}
    ua = httpx.get(f"{base}/user-agent", headers={"User-Agent": "curl/8.5.0"}).json()
    assert ua == {"user-agent": "curl/8.5.0"}
