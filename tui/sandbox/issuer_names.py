"""Issuer names the shared IdP makes unique: no learner can mint tokens another API accepts.

A Gold Shared IdP issuer named ``N`` registers the client ``kebab(N)`` and its consumers'
tokens carry the audience ``ap-<client>-<env>`` (``ap-<client>`` in prod). Two things would
let one learner's consumer into another learner's API:

* the same client id (an issuer named ``"<victim gateway> default"``) — the real shared IdP
  refuses a second client with an existing id;
* an audience that, read as a *Lua pattern* the way ``jwt-keycloak`` reads it, matches another
  gateway's ``allowed_aud`` — ``"-"`` in prod gives ``ap--`` (``a``, any ``p``\\s, ``-``),
  which finds ``ap-`` in every audience; ``"ult"`` gives ``ap-ult``, which finds ``ault`` in
  every ``…-default-…``.

:func:`refusal` checks a new issuer's audiences against every other gateway's client ids,
issuer audiences, published ``allowed_aud`` values and default audiences, and against the
shape every future gateway's default audience will have.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from .lua_pattern import lua_match

ENVIRONMENTS = ("dev", "test", "prod")
# The default audience of a gateway that does not exist yet (gateway ids are gw-<5 hex>).
FUTURE_GATEWAY = "gw-00000"


def audience(client: str, environment: str) -> str:
    return f"ap-{client}" if environment == "prod" else f"ap-{client}-{environment}"


def audiences(client: str) -> list[str]:
    return [audience(client, env) for env in ENVIRONMENTS]


def _allowed_auds(doc: dict) -> Iterator[str]:
    plugins = list(doc.get("plugins") or [])
    for route in doc.get("routes") or []:
        if isinstance(route, dict):
            plugins.extend(route.get("plugins") or [])
    for plugin in plugins:
        if isinstance(plugin, dict) and plugin.get("name") == "jwt-keycloak":
            config = plugin.get("config") or {}
            if isinstance(config, dict) and isinstance(config.get("allowed_aud"), str):
                yield config["allowed_aud"]


def _others(conn: sqlite3.Connection, gateway_id: str, kebab) -> tuple[set[str], set[str]]:
    """(client ids, audiences a token could be checked against) outside ``gateway_id``."""
    clients: set[str] = set()
    protected: set[str] = set(audiences(f"{FUTURE_GATEWAY}-default"))
    for row in conn.execute("SELECT gateway_id FROM gateways WHERE gateway_id<>?", (gateway_id,)):
        protected.update(audiences(f"{row['gateway_id']}-default"))
    for row in conn.execute("SELECT name FROM issuers WHERE gateway_id<>?", (gateway_id,)):
        client = kebab(row["name"])
        clients.add(client)
        protected.update(audiences(client))
    for row in conn.execute("SELECT doc FROM kong_services WHERE gateway_id<>?", (gateway_id,)):
        try:
            doc = json.loads(row["doc"])
        except ValueError:
            continue
        if isinstance(doc, dict):
            protected.update(_allowed_auds(doc))
    return clients, protected


def refusal(conn: sqlite3.Connection, gateway_id: str, name: str, kebab) -> str | None:
    """Why the shared IdP cannot register this issuer's client, or None."""
    client = kebab(name)
    clients, protected = _others(conn, gateway_id, kebab)
    if client in clients:
        return (
            f"Client {client} already exists on the shared IdP; issuer names must be unique "
            "across gateways, so choose another name"
        )
    for mine in audiences(client):
        for theirs in protected:
            if mine == theirs or lua_match(theirs, mine):
                return (
                    f"Client {client} would issue tokens (audience {mine}) that another "
                    "gateway's API would accept; choose another issuer name"
                )
    return None
