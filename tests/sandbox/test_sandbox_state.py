"""Each sandbox keeps its own state (upstream pool, outgoing client, caches): several in one
process do not share it, and stopping one leaves the others serving."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import httpx

from tests.sandbox.kong_fixtures import gateway_url, new_gateway_id, publish, service_doc
from tests.sandbox_kit import start_sandbox


def _open_service(server) -> str:
    gateway = new_gateway_id()
    name = f"state-{uuid.uuid4().hex[:6]}"
    doc = service_doc(gateway, name, server.ctx.upstream_url + "/", protected=False)
    publish(server, gateway, doc)
    return server.ctx.env_host(f"{name}.dev.api.gov.bc.ca")


def test_stopping_one_sandbox_leaves_another_in_the_same_process_proxying(
    tmp_path: Path,
) -> None:
    first, second = start_sandbox(tmp_path / "one"), start_sandbox(tmp_path / "two")
    try:
        host_one, host_two = _open_service(first), _open_service(second)
        assert httpx.get(gateway_url(first) + "/uuid", headers={"Host": host_one}).is_success
        assert httpx.get(gateway_url(second) + "/uuid", headers={"Host": host_two}).is_success
        assert first.ctx.issuer_keys is not second.ctx.issuer_keys
        first.stop()
        for _ in range(3):  # its pool and client are its own: nothing of the first is reused
            response = httpx.get(gateway_url(second) + "/uuid", headers={"Host": host_two})
            assert response.status_code == 200
    finally:
        second.stop()


def test_the_sandbox_leaves_the_import_system_alone() -> None:
    """No negative-cache entries in sys.modules: the wizard's own httpx in the same process
    must see the environment as it is."""
    import tui.sandbox.proxy  # noqa: F401
    import tui.sandbox.server  # noqa: F401

    assert all(module is not None for module in sys.modules.values())
