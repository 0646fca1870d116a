"""Two gateways may each publish a wildcard route host of their own zone: the route-host
uniqueness check refuses only hosts one request could match for both, so ``*.alpha…`` and
``*.beta…`` do not clash, while a wildcard over another gateway's zone still does."""

from __future__ import annotations

import secrets

from tests.sandbox.portal_kit import (
    client,
    config_text,
    new_gateway,
    publish,
    service_doc,
    service_name,
    user,
)


def _wild_doc(sandbox, gw: str, host: str) -> dict:
    doc = service_doc(gw, service_name("wild"), sandbox.info.upstream_url)
    doc["routes"][0]["hosts"] = [host]
    return doc


def test_wildcards_over_different_zones_do_not_clash(sandbox) -> None:
    zone = secrets.token_hex(3)
    with client(sandbox, user("alpha")) as a, client(sandbox, user("beta")) as b:
        gw_a, gw_b = new_gateway(a), new_gateway(b)
        first = publish(a, gw_a, config_text(_wild_doc(sandbox, gw_a, f"*.a{zone}.api.gov.bc.ca")))
        assert first.status_code == 200, first.text
        second = publish(b, gw_b, config_text(_wild_doc(sandbox, gw_b, f"*.b{zone}.api.gov.bc.ca")))
        assert second.status_code == 200, second.text
        wider = publish(
            b, gw_b, config_text(_wild_doc(sandbox, gw_b, f"*.x.a{zone}.api.gov.bc.ca"))
        )
        assert wider.status_code == 400, wider.text  # inside alpha's zone: one host hits both
        assert "The host is already used in another gateway" in wider.json()["error"]
