"""Read views of a gateway's issuers, products and directory (docs/contract.md#s10)."""

from __future__ import annotations

import json
from typing import Any

from .context import SHARED_IDP_ISSUER, SandboxContext
from .gateways import ORGANIZATIONS, org_ref, unit_ref
from .resources import (
    SHARED_IDP_ENVIRONMENTS,
    compact,
    issuer_client_id,
    shared_audience,
)

MASKED = "****"


def issuers(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    out = []
    for row in ctx.db.query(
        "SELECT owner, doc FROM issuers WHERE gateway_id=? ORDER BY name", (gateway_id,)
    ):
        doc = json.loads(row["doc"])
        item: dict[str, Any] = {
            "name": doc["name"],
            "description": doc.get("description"),
            "flow": doc.get("flow"),
            "mode": doc.get("mode"),
            "authPlugin": doc.get("authPlugin"),
            "clientAuthenticator": doc.get("clientAuthenticator"),
            "clientRoles": doc.get("clientRoles", []),
            "clientMappers": doc.get("clientMappers", []),
            "availableScopes": doc.get("availableScopes", []),
            "resourceScopes": doc.get("resourceScopes", []),
            "environmentDetails": [],
            "isShared": False,
            "owner": row["owner"],
        }
        if doc.get("inheritFrom"):
            client = issuer_client_id(doc)
            item["inheritFrom"] = {"name": doc["inheritFrom"]}
            item["environmentDetails"] = [
                {
                    "exists": True,
                    "environment": env,
                    "issuerUrl": SHARED_IDP_ISSUER,
                    "clientRegistration": "shared-idp",
                    "clientId": shared_audience(client, env),
                }
                for env in SHARED_IDP_ENVIRONMENTS
            ]
        else:
            details = []
            for entry in doc.get("environmentDetails", []):
                entry = dict(entry)
                for secret in ("clientSecret", "initialAccessToken"):
                    if entry.get(secret):
                        entry[secret] = MASKED
                details.append(entry)
            item["environmentDetails"] = details
        for key in ("instruction", "apiKeyName", "resourceType", "resourceAccessScope"):
            if doc.get(key) is not None:
                item[key] = doc[key]
        out.append(compact(item))
    return out


def _public_environment(env: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in env.items() if k != "id"}


def products(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    out = []
    for row in ctx.db.query(
        "SELECT name, app_id, doc FROM products WHERE gateway_id=? ORDER BY name", (gateway_id,)
    ):
        doc = json.loads(row["doc"])
        item = {
            "name": row["name"],
            "appId": row["app_id"],
            "description": doc.get("description"),
            "dataset": doc.get("dataset"),
            "environments": [_public_environment(e) for e in doc.get("environments", [])],
        }
        out.append(compact(item))
    return out


def _strip_empty(value: Any) -> Any:
    """Remove null and "" recursively, as the portal's directory views do."""
    if isinstance(value, dict):
        return {k: _strip_empty(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_strip_empty(v) for v in value]
    return value


def _dataset_view(ctx: SandboxContext, row: Any, product_rows: list[Any]) -> dict[str, Any]:
    doc = json.loads(row["doc"])
    item: dict[str, Any] = {
        "id": row["id"],
        "name": doc["name"],
        "title": doc.get("title"),
        "notes": doc.get("notes"),
        "license_title": doc.get("license_title"),
        "view_audience": doc.get("view_audience"),
        "download_audience": doc.get("download_audience"),
        "security_class": doc.get("security_class"),
        "record_publish_date": doc.get("record_publish_date"),
        "tags": doc.get("tags"),
        "contacts": doc.get("contacts"),
        "resources": doc.get("resources"),
    }
    org, unit = doc.get("organization"), doc.get("organizationUnit")
    if org in ORGANIZATIONS:
        item["organization"] = org_ref(org)
        if unit:
            item["organizationUnit"] = unit_ref(org, unit)
    item["products"] = [
        {
            "id": p["id"],
            "name": p["name"],
            "environments": [
                {"name": e.get("name"), "active": e.get("active", False), "flow": e.get("flow")}
                for e in json.loads(p["doc"]).get("environments", [])
            ],
        }
        for p in product_rows
    ]
    return _strip_empty(item)


def directory(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    """Datasets with at least one product in the gateway."""
    rows = ctx.db.query(
        "SELECT id, name, doc FROM products WHERE gateway_id=? ORDER BY name", (gateway_id,)
    )
    by_dataset: dict[str, list[Any]] = {}
    for p in rows:
        name = json.loads(p["doc"]).get("dataset")
        if name:
            by_dataset.setdefault(name, []).append(p)
    out = []
    for name in sorted(by_dataset):
        ds = ctx.db.query_one("SELECT id, doc FROM datasets WHERE name=?", (name,))
        if ds is not None:
            out.append(_dataset_view(ctx, ds, by_dataset[name]))
    return out


def directory_item(ctx: SandboxContext, gateway_id: str, dataset_id: str) -> dict | None:
    for item in directory(ctx, gateway_id):
        if item["id"] == dataset_id:
            return item
    return None


def dataset(ctx: SandboxContext, name: str) -> dict[str, Any] | None:
    row = ctx.db.query_one("SELECT doc FROM datasets WHERE name=?", (name,))
    if row is None:
        return None
    doc = json.loads(row["doc"])
    # The Dataset model declares isInCatalog/isDraft as strings (docs/contract.md#s14: spec quirk).
    doc["isInCatalog"] = str(doc.get("isInCatalog", False)).lower()
    doc.pop("isDraft", None)
    return compact(doc)


def public_directory(ctx: SandboxContext) -> list[dict[str, Any]]:
    """``GET /ds/api/v3/directory``: datasets with a product that has an active environment.

    Only active environments are listed, across every gateway (no auth needed).
    """
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for p in ctx.db.query("SELECT id, name, doc FROM products ORDER BY name"):
        doc = json.loads(p["doc"])
        active = [e for e in doc.get("environments", []) if e.get("active")]
        if active and doc.get("dataset"):
            row = {"id": p["id"], "name": p["name"], "doc": json.dumps({"environments": active})}
            by_dataset.setdefault(doc["dataset"], []).append(row)
    out = []
    for name in sorted(by_dataset):
        ds = ctx.db.query_one("SELECT id, doc FROM datasets WHERE name=?", (name,))
        if ds is not None:
            out.append(_dataset_view(ctx, ds, by_dataset[name]))
    return out


def gateway_routes(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    """The portal's ``GET /gateways/{gw}/services``: GatewayRoute records of published routes."""
    out = []
    for row in ctx.db.query(
        "SELECT doc FROM kong_services WHERE gateway_id=? ORDER BY name", (gateway_id,)
    ):
        try:  # a row stored before publish refused non-finite numbers must not 500 the list
            service = json.loads(row["doc"], parse_constant=lambda _name: None)
        except ValueError:
            continue
        if not isinstance(service, dict):
            continue
        for route in service.get("routes") or []:
            if not isinstance(route, dict):
                continue
            item = {
                "extForeignKey": route.get("id"),
                "name": route.get("name"),
                "extSource": "kong",
                "tags": route.get("tags") or [],
                "methods": route.get("methods") or [],
                "paths": route.get("paths") or [],
                "hosts": route.get("hosts") or [],
                "service": service.get("name"),
                "plugins": [
                    {
                        "extForeignKey": p.get("id"),
                        "name": p.get("name"),
                        "extSource": "kong",
                        "tags": p.get("tags") or [],
                        "config": p.get("config") or {},
                    }
                    for p in (service.get("plugins") or []) + (route.get("plugins") or [])
                    if isinstance(p, dict)
                ],
            }
            out.append(compact(item))
    return out
