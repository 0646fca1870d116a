"""The data plane as its own bare ASGI app: what Starlette's stack used to do for it still
happens (a JSON 500 for a bug, then the next request served; the path as the client sent it)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.sandbox.kong_fixtures import gateway_url, new_gateway_id, publish, service_doc, unpublish
from tui.sandbox import upstream_policy


@pytest.fixture
def open_host(sandbox):
    gateway = new_gateway_id()
    name = f"app-{uuid.uuid4().hex[:6]}"
    doc = service_doc(gateway, name, sandbox.ctx.upstream_url + "/", protected=False)
    publish(sandbox, gateway, doc)
    yield sandbox.ctx.env_host(f"{name}.dev.api.gov.bc.ca")
    unpublish(sandbox, gateway)


def test_an_unexpected_error_answers_a_json_500_and_the_next_request_is_served(
    sandbox, open_host, monkeypatch
) -> None:
    real = upstream_policy.refused_now

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug in the sandbox")

    monkeypatch.setattr(upstream_policy, "refused_now", broken)
    url = gateway_url(sandbox) + "/uuid"
    failed = httpx.get(url, headers={"Host": open_host})
    assert failed.status_code == 500
    assert failed.json() == {"message": "An unexpected error occurred"}
    assert "a bug in the sandbox" not in failed.text  # no traceback reaches the client

    monkeypatch.setattr(upstream_policy, "refused_now", real)
    served = httpx.get(url, headers={"Host": open_host})
    assert served.status_code == 200 and uuid.UUID(served.json()["uuid"])


def test_an_encoded_question_mark_stays_in_the_path_and_out_of_the_query(
    sandbox, open_host
) -> None:
    response = httpx.get(gateway_url(sandbox) + "/anything/a%3Fb?c=d", headers={"Host": open_host})
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["headers"]["X-Forwarded-Path"] == "/anything/a%3Fb"
    assert echoed["args"] == {"c": "d"}
