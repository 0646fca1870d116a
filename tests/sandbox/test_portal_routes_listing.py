"""The portal's ``GET /ds/api/v3/gateways/{gw}/services`` lists the published routes even when
stored rows are damaged (not JSON, not an object, a route that is not an object): those are
skipped, the rest are listed, never a 500."""

from __future__ import annotations

import json
import uuid

from tests.sandbox.portal_kit import client, new_gateway, user


def test_damaged_rows_are_skipped_and_the_good_route_is_listed(fresh_sandbox) -> None:
    sandbox = fresh_sandbox  # its own store: damaged rows would upset other tests' readers
    with client(sandbox, user("routes")) as c:
        gw = new_gateway(c)
        good = {
            "name": "kept-dev",
            "tags": [f"ns.{gw}"],
            "host": "example.org",
            "routes": ["not a route", {"name": "kept-route", "hosts": ["kept.api.gov.bc.ca"]}],
        }
        rows = [("broken", "{not json"), ("listed", "[1, 2]"), ("kept-dev", json.dumps(good))]
        with sandbox.ctx.db.transaction() as conn:
            for name, doc in rows:
                conn.execute(
                    "INSERT INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
                    (gw, name, str(uuid.uuid4()), doc),
                )
        r = c.get(f"/ds/api/v3/gateways/{gw}/services")
    assert r.status_code == 200, r.text
    assert [(x["name"], x["service"], x["hosts"]) for x in r.json()] == [
        ("kept-route", "kept-dev", ["kept.api.gov.bc.ca"])
    ]
