"""Issuers, datasets and products: the portal's PUTs with BatchResult semantics (§7.3).

A BatchResult is ``{"status", "result", "reason"?, "id"?, "childResults": [...]}``; success
is 200 ``created`` / ``updated`` / ``no-change`` / ``<child result>-child``, failure is the
failing BatchResult answered with HTTP 400 and nothing written (the transaction rolls back).
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from typing import Any

from . import issuer_names
from .gateways import ORGANIZATIONS, org_unit_exists
from .portal_errors import Problem, check_model

SCHEMA = """
CREATE TABLE IF NOT EXISTS issuers (
    gateway_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    id         TEXT NOT NULL,
    owner      TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (gateway_id, name)
);
-- DraftDatasets are global, keyed by name; gateway_id is the gateway that created it.
CREATE TABLE IF NOT EXISTS datasets (
    name       TEXT PRIMARY KEY,
    id         TEXT NOT NULL,
    gateway_id TEXT NOT NULL,
    doc        TEXT NOT NULL
);
-- doc holds the product with its environments (each with name, appId, id, …).
CREATE TABLE IF NOT EXISTS products (
    gateway_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    id         TEXT NOT NULL,
    app_id     TEXT NOT NULL UNIQUE,
    doc        TEXT NOT NULL,
    PRIMARY KEY (gateway_id, name)
);
"""

SHARED_IDP_NAME = "Gold Shared IdP"
SHARED_IDP_ENVIRONMENTS = ("dev", "test", "prod")

STRINGS = ("array", "string")
ENV_CONFIG = {
    "environment": "string",
    "exists": "boolean",
    "issuerUrl": "string",
    "clientRegistration": ("enum", ["anonymous", "managed", "iat"]),
    "clientId": "string",
    "clientSecret": "string",
    "initialAccessToken": "string",
}
ISSUER_MODEL = {
    "name": "string",
    "gatewayId": "string",
    "description": "string",
    "flow": ("enum", ["client-credentials"]),
    "mode": ("enum", ["auto"]),
    "authPlugin": "string",
    "clientAuthenticator": ("enum", ["client-secret", "client-jwt", "client-jwt-jwks-url"]),
    "instruction": "string",
    "environmentDetails": ("array", ("model", ENV_CONFIG)),
    "resourceType": "string",
    "resourceAccessScope": "string",
    "isShared": "boolean",
    "apiKeyName": "string",
    "availableScopes": STRINGS,
    "resourceScopes": STRINGS,
    "clientRoles": STRINGS,
    "clientMappers": STRINGS,
    "inheritFrom": "string",
    "owner": "string",
}
AUDIENCES = ["Public", "Government", "Named users", "Government and Business BCeID"]
SECURITY_CLASSES = [
    "HIGH-CABINET", "HIGH-CONFIDENTIAL", "HIGH-SENSITIVITY", "MEDIUM-SENSITIVITY",
    "MEDIUM-PERSONAL", "LOW-SENSITIVITY", "LOW-PUBLIC", "PUBLIC", "PROTECTED A",
    "PROTECTED B", "PROTECTED C",
]  # fmt: skip
CONTACT = {"name": "string", "email": "string", "role": ("enum", ["pointOfContact"])}
RESOURCE = {
    "id": "string",
    "name": "string",
    "format": ("enum", ["openapi-json", "json"]),
    "url": "string",
}
DATASET_MODEL = {
    "name": "string",
    "license_title": "string",
    "security_class": ("enum", SECURITY_CLASSES),
    "view_audience": ("enum", AUDIENCES),
    "download_audience": ("enum", AUDIENCES),
    "record_publish_date": "string",
    "notes": "string",
    "title": "string",
    "isInCatalog": "boolean",
    "isDraft": "boolean",
    "contacts": ("array", ("model", CONTACT)),
    "resources": ("array", ("model", RESOURCE)),
    "tags": STRINGS,
    "organization": "string",
    "organizationUnit": "string",
}
ENVIRONMENT_MODEL = {
    "appId": "string",
    "name": ("enum", ["dev", "test", "prod", "sandbox", "other"]),
    "active": "boolean",
    "approval": "boolean",
    "flow": (
        "enum",
        [
            "public",
            "protected-externally",
            "authorization-code",
            "client-credentials",
            "kong-acl-only",
            "kong-api-key-only",
            "kong-api-key-acl",
        ],
    ),  # fmt: skip
    "additionalDetailsToRequest": "string",
    "services": STRINGS,
    "legal": "string",
    "credentialIssuer": "string",
}
PRODUCT_MODEL = {
    "appId": "string",
    "name": "string",
    "description": "string",
    "gatewayId": "string",
    "dataset": "string",
    "environments": ("array", ("model", ENVIRONMENT_MODEL)),
}


def kebab_case(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).lower()


def new_id() -> str:
    return secrets.token_hex(12)


def hex_id(n: int) -> str:
    return secrets.token_hex((n + 1) // 2)[:n].upper()


def compact(value: Any) -> Any:
    """Drop null values recursively (the portal's ``removeEmpty``)."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def ok(result: str, record_id: str, children: list[dict] | None = None) -> dict[str, Any]:
    return {"status": 200, "result": result, "id": record_id, "childResults": children or []}


def failed(existing: bool, reason: str, children: list[dict] | None = None) -> Problem:
    return Problem(
        400,
        {
            "status": 400,
            "result": "update-failed" if existing else "create-failed",
            "reason": reason,
            "childResults": children or [],
        },
    )


# -- issuers ----------------------------------------------------------------------------------
def put_issuer(conn: sqlite3.Connection, gateway_id: str, username: str, body: Any) -> dict:
    check_model(body, ISSUER_MODEL, required=("name",))
    doc = compact({k: v for k, v in body.items() if k not in ("gatewayId", "owner")})
    row = conn.execute(
        "SELECT id, doc FROM issuers WHERE gateway_id=? AND name=?", (gateway_id, doc["name"])
    ).fetchone()
    inherit = doc.get("inheritFrom")
    if inherit is not None and inherit != SHARED_IDP_NAME:
        raise failed(row is not None, f"Record not found [inheritFrom] {inherit}")
    if row is None and (taken := issuer_names.refusal(conn, gateway_id, doc["name"], kebab_case)):
        raise failed(False, taken)
    if row is None:
        record_id = new_id()
        conn.execute(
            "INSERT INTO issuers(gateway_id, name, id, owner, doc) VALUES (?,?,?,?,?)",
            (gateway_id, doc["name"], record_id, username, json.dumps(doc)),
        )
        return ok("created", record_id)
    # Fields left out of a PUT keep their stored values (the portal updates given fields).
    doc = {**json.loads(row["doc"]), **doc}
    if json.loads(row["doc"]) == doc:
        return ok("no-change", row["id"])
    conn.execute(
        "UPDATE issuers SET doc=? WHERE gateway_id=? AND name=?",
        (json.dumps(doc), gateway_id, doc["name"]),
    )
    return ok("updated", row["id"])


def issuer_client_id(doc: dict[str, Any]) -> str:
    return kebab_case(doc["name"])


def shared_audience(issuer_client: str, environment: str) -> str:
    return f"ap-{issuer_client}" if environment == "prod" else f"ap-{issuer_client}-{environment}"


# -- datasets ---------------------------------------------------------------------------------
def put_dataset(conn: sqlite3.Connection, gateway_id: str, body: Any) -> dict:
    check_model(body, DATASET_MODEL, required=("name",))
    doc = compact(dict(body))
    doc["isInCatalog"] = False
    row = conn.execute("SELECT id, gateway_id, doc FROM datasets WHERE name=?", (doc["name"],))
    row = row.fetchone()
    existing = row is not None
    org, unit = doc.get("organization"), doc.get("organizationUnit")
    if org is not None and org not in ORGANIZATIONS:
        raise failed(existing, f"Record not found [organization] {org}")
    if unit is not None and (org is None or not org_unit_exists(org, unit)):
        raise failed(existing, f"Record not found [organizationUnit] {unit}")
    if row is None:
        record_id = new_id()
        conn.execute(
            "INSERT INTO datasets(name, id, gateway_id, doc) VALUES (?,?,?,?)",
            (doc["name"], record_id, gateway_id, json.dumps(doc)),
        )
        return ok("created", record_id)
    if row["gateway_id"] != gateway_id:
        owner_alive = conn.execute(
            "SELECT 1 FROM gateways WHERE gateway_id=?", (row["gateway_id"],)
        ).fetchone()
        if owner_alive:
            raise failed(True, "Dataset belongs to another gateway")
        # Datasets outlive their gateway (destroy keeps them); the next gateway adopts it.
        conn.execute("UPDATE datasets SET gateway_id=? WHERE name=?", (gateway_id, doc["name"]))
    doc = {**json.loads(row["doc"]), **doc}
    if json.loads(row["doc"]) == doc:
        return ok("no-change", row["id"])
    conn.execute("UPDATE datasets SET doc=? WHERE name=?", (json.dumps(doc), doc["name"]))
    return ok("updated", row["id"])


# -- products ---------------------------------------------------------------------------------
PRODUCT_OWN = ("name", "description", "dataset")


def _service_names(conn: sqlite3.Connection, gateway_id: str) -> set[str]:
    rows = conn.execute("SELECT name FROM kong_services WHERE gateway_id=?", (gateway_id,))
    return {r["name"] for r in rows}


def _issuer_names(conn: sqlite3.Connection, gateway_id: str) -> set[str]:
    rows = conn.execute("SELECT name FROM issuers WHERE gateway_id=?", (gateway_id,))
    return {r["name"] for r in rows}


def _environment(
    incoming: dict[str, Any],
    current: dict[str, Any] | None,
    services: set[str],
    issuers: set[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Merge one environment; return (stored environment, child BatchResult)."""
    existing = current is not None
    for service in incoming.get("services") or []:
        if service not in services:
            return {}, failed(existing, f"Failed to find {service} in allGatewayServices").body
    issuer = incoming.get("credentialIssuer")
    if issuer is not None and issuer not in issuers:
        return {}, failed(existing, f"Record not found [credentialIssuer] {issuer}").body
    if current is None:
        env = {"id": new_id(), **incoming, "appId": incoming.get("appId") or hex_id(8)}
        return env, ok("created", env["id"])
    env = {**current, **incoming, "id": current["id"], "appId": current["appId"]}
    if env == current:
        return current, ok("no-change", current["id"])
    return env, ok("updated", current["id"])


def put_product(conn: sqlite3.Connection, gateway_id: str, body: Any) -> dict:
    check_model(body, PRODUCT_MODEL, required=("name",))
    doc = compact({k: v for k, v in body.items() if k != "gatewayId"})
    row = None
    if doc.get("appId"):
        row = conn.execute("SELECT * FROM products WHERE app_id=?", (doc["appId"],)).fetchone()
        if row is not None and row["gateway_id"] != gateway_id:
            raise failed(False, f"Record not found [product] {doc['appId']}")
    if row is None:
        row = conn.execute(
            "SELECT * FROM products WHERE gateway_id=? AND name=?", (gateway_id, doc["name"])
        ).fetchone()
    existing = row is not None
    dataset = doc.get("dataset")
    if (
        dataset is not None
        and conn.execute("SELECT 1 FROM datasets WHERE name=?", (dataset,)).fetchone() is None
    ):
        raise failed(existing, f"Record not found [dataset] {dataset}")
    current = json.loads(row["doc"]) if row else {"environments": []}
    services = _service_names(conn, gateway_id)
    issuers = _issuer_names(conn, gateway_id)
    environments = list(current.get("environments", []))
    children: list[dict[str, Any]] = []
    for incoming in doc.get("environments") or []:
        index = next(
            (
                i
                for i, e in enumerate(environments)
                if (incoming.get("appId") and e["appId"] == incoming["appId"])
                or (not incoming.get("appId") and e.get("name") == incoming.get("name"))
            ),
            None,
        )
        env, child = _environment(
            incoming, environments[index] if index is not None else None, services, issuers
        )
        children.append(child)
        if child["status"] != 200:
            continue
        if index is None:
            environments.append(env)
        else:
            environments[index] = env
    if any(c["status"] != 200 for c in children):
        raise failed(existing, "Failed updating children", children)
    before = {k: current[k] for k in PRODUCT_OWN if k in current}
    own = {**before, **{k: doc[k] for k in PRODUCT_OWN if k in doc}}
    stored = {**own, "environments": environments}
    if row is None:
        record_id, app_id = new_id(), doc.get("appId") or hex_id(12)
        conn.execute(
            "INSERT INTO products(gateway_id, name, id, app_id, doc) VALUES (?,?,?,?,?)",
            (gateway_id, doc["name"], record_id, app_id, json.dumps(stored)),
        )
        return ok("created", record_id, children)
    if before != own:
        result = "updated"
    else:
        changed = [c["result"] for c in children if c["result"] != "no-change"]
        result = f"{changed[0]}-child" if changed else "no-change"
    if result != "no-change":
        conn.execute(
            "UPDATE products SET name=?, doc=? WHERE id=?",
            (doc["name"], json.dumps(stored), row["id"]),
        )
    return ok(result, row["id"], children)


def find_environment(
    conn: sqlite3.Connection | Any, gateway_id: str, environment_app_id: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(product row as dict, environment) for an environment appId in the gateway."""
    for row in conn.execute(
        "SELECT name, id, app_id, doc FROM products WHERE gateway_id=?", (gateway_id,)
    ):
        doc = json.loads(row["doc"])
        for env in doc.get("environments", []):
            if env.get("appId") == environment_app_id:
                return {"name": row["name"], "id": row["id"], "appId": row["app_id"]}, env
    return None
