"""The Review step's checks, per document: what gwa apply, gwa-api and the portal would reject.

Each problem points at the YAML node at fault (1-based line and column). Messages that repeat
a server's rule use the server's words (gwa apply's "This config template is not supported",
the portal's enums and "extra keys give 422", docs/contract.md#s7) followed by a plain fix.
GatewayService rules live in :mod:`tui.services.manifest_gateway`.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, SequenceNode

from tui.services.manifest_gateway import check_audiences, check_gateway_service
from tui.services.manifest_nodes import (
    Document,
    ManifestProblem,
    at,
    check_bool,
    check_enum,
    child,
    closest,
    items,
    mapping_items,
    scalar_text,
)

__all__ = ["NOT_SUPPORTED", "ManifestProblem", "check_documents"]

NOT_SUPPORTED = "This config template is not supported"
ISSUER_FLOWS = ("client-credentials",)
ISSUER_MODES = ("auto",)
CLIENT_AUTHENTICATORS = ("client-secret", "client-jwt", "client-jwt-jwks-url")
SECURITY_CLASSES = (
    "HIGH-CABINET",
    "HIGH-CONFIDENTIAL",
    "HIGH-SENSITIVITY",
    "MEDIUM-SENSITIVITY",
    "MEDIUM-PERSONAL",
    "LOW-SENSITIVITY",
    "LOW-PUBLIC",
    "PUBLIC",
    "PROTECTED A",
    "PROTECTED B",
    "PROTECTED C",
)
AUDIENCES = ("Public", "Government", "Named users", "Government and Business BCeID")
ENVIRONMENT_NAMES = ("dev", "test", "prod", "sandbox", "other")
ENVIRONMENT_FLOWS = (
    "public",
    "protected-externally",
    "authorization-code",
    "client-credentials",
    "kong-acl-only",
    "kong-api-key-only",
    "kong-api-key-acl",
)
SHARED_IDPS = ("Gold Shared IdP",)
# The portal's v3 models (tsoa, additionalProperties: false): other keys are refused with 422.
PORTAL_FIELDS = {
    "CredentialIssuer": (
        "name",
        "gatewayId",
        "description",
        "flow",
        "mode",
        "authPlugin",
        "clientAuthenticator",
        "instruction",
        "environmentDetails",
        "resourceType",
        "resourceAccessScope",
        "isShared",
        "apiKeyName",
        "availableScopes",
        "resourceScopes",
        "clientRoles",
        "clientMappers",
        "inheritFrom",
        "owner",
    ),
    "DraftDataset": (
        "name",
        "license_title",
        "security_class",
        "view_audience",
        "download_audience",
        "record_publish_date",
        "notes",
        "title",
        "isInCatalog",
        "isDraft",
        "contacts",
        "resources",
        "tags",
        "organization",
        "organizationUnit",
    ),
    "Product": ("appId", "name", "description", "gatewayId", "dataset", "environments"),
    "Environment": (
        "appId",
        "name",
        "active",
        "approval",
        "flow",
        "additionalDetailsToRequest",
        "services",
        "legal",
        "credentialIssuer",
    ),
}

# --- per document ------------------------------------------------------------------------------


def check_documents(
    documents: list[Document], gateway_id: str, *, live: bool
) -> list[ManifestProblem]:
    out: list[ManifestProblem] = []
    for doc in documents:
        if doc.node is not None:
            _duplicate_keys(doc.node, out)
    names: dict[str, dict[str, Node]] = {kind: {} for kind in PORTAL_FIELDS}
    names["GatewayService"] = {}
    for doc in documents:
        node = doc.node
        if not isinstance(node, MappingNode):
            why = (
                "this document is empty (often a stray ---)"
                if doc.data is None
                else ("a document must be a mapping of keys, starting with kind:")
            )
            out.append(ManifestProblem(doc.line, 1, f"{NOT_SUPPORTED}: {why}."))
            continue
        kind_node = child(node, "kind")
        if kind_node is None:
            out.append(
                ManifestProblem(doc.line, 1, f"{NOT_SUPPORTED}: this document has no kind: line.")
            )
            continue
        kind = scalar_text(kind_node) or ""
        if kind not in names:
            out.append(
                at(
                    kind_node,
                    f'Unknown kind "{kind}": gwa apply skips it. Use '
                    "GatewayService, CredentialIssuer, DraftDataset or Product."
                    + closest(kind, names),
                )
            )
            continue
        name_node = child(node, "name")
        name = scalar_text(name_node)
        if not name or name_node is None:
            out.append(at(node, f"This {kind} needs a name: line."))
        elif name in names[kind]:
            out.append(at(name_node, f'Another {kind} in this file is already named "{name}".'))
        else:
            names[kind][name] = name_node
        if kind == "GatewayService":
            check_gateway_service(node, name or "[0]", gateway_id, live, out)
        else:
            _portal_fields(node, kind, out)
        if kind == "CredentialIssuer":
            _issuer(node, out)
        elif kind == "DraftDataset":
            _dataset(node, out)
        elif kind == "Product":
            _product(node, names, out)
        elif kind == "Environment":
            out.append(
                at(
                    kind_node,
                    "kind Environment has no v3 route in the portal: apply "
                    "reports Resource not found. Put environments inside the Product.",
                    "warning",
                )
            )
    check_audiences(documents, out)
    return out


def _duplicate_keys(node: Node, out: list[ManifestProblem], seen: set[int] | None = None) -> None:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        first: dict[str, Node] = {}
        for text, key, value in mapping_items(node):
            if text in first and text != "<<":
                line = first[text].start_mark.line + 1
                out.append(at(key, f'mapping key "{text}" already defined at line {line}'))
            first.setdefault(text, key)
            _duplicate_keys(value, out, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _duplicate_keys(item, out, seen)


def _portal_fields(node: Node, kind: str, out: list[ManifestProblem]) -> None:
    allowed = PORTAL_FIELDS[kind]
    for text, key, _ in mapping_items(node):
        if text not in ("kind", "<<") and text not in allowed:
            out.append(
                at(
                    key,
                    f'{kind} has no field "{text}": the portal refuses unknown '
                    "fields (422)." + closest(text, allowed),
                )
            )


def _issuer(node: Node, out: list[ManifestProblem]) -> None:
    check_enum(child(node, "flow"), ISSUER_FLOWS, "flow", out)
    check_enum(child(node, "mode"), ISSUER_MODES, "mode", out)
    check_enum(
        child(node, "clientAuthenticator"), CLIENT_AUTHENTICATORS, "clientAuthenticator", out
    )
    inherit = child(node, "inheritFrom")
    if inherit is not None and scalar_text(inherit) not in SHARED_IDPS:
        out.append(
            at(
                inherit,
                'inheritFrom must name a shared IdP the portal knows ("Gold '
                'Shared IdP"), else: Record not found [inheritFrom].',
                "warning",
            )
        )


def _dataset(node: Node, out: list[ManifestProblem]) -> None:
    check_enum(child(node, "security_class"), SECURITY_CLASSES, "security_class", out)
    check_enum(child(node, "view_audience"), AUDIENCES, "view_audience", out)
    check_enum(child(node, "download_audience"), AUDIENCES, "download_audience", out)
    for key in ("isInCatalog", "isDraft"):
        check_bool(child(node, key), key, out)


def _product(node: Node, names: dict[str, dict[str, Node]], out: list[ManifestProblem]) -> None:
    dataset = child(node, "dataset")
    dataset_name = scalar_text(dataset)
    if dataset is not None and dataset_name and dataset_name not in names["DraftDataset"]:
        out.append(
            at(
                dataset,
                f'dataset "{dataset_name}" is not a DraftDataset in this file; '
                "it must already exist in the portal.",
                "warning",
            )
        )
    environments = child(node, "environments")
    if environments is None:
        out.append(
            at(
                node,
                "This Product has no environments: consumers could not request access to anything.",
                "warning",
            )
        )
        return
    if not isinstance(environments, SequenceNode):
        out.append(at(environments, "environments must be a list (each entry starts with '- ')."))
        return
    for env in environments.value:
        _environment(env, names, out)


def _environment(env: Node, names: dict[str, dict[str, Node]], out: list[ManifestProblem]) -> None:
    if not isinstance(env, MappingNode):
        out.append(at(env, "Each environment is a mapping with name:, flow:, services: …"))
        return
    _portal_fields(env, "Environment", out)
    env_name = child(env, "name")
    if env_name is None:
        out.append(at(env, "This environment needs a name: (dev, test, prod, sandbox or other)."))
    check_enum(env_name, ENVIRONMENT_NAMES, "environment name", out)
    check_enum(child(env, "flow"), ENVIRONMENT_FLOWS, "flow", out)
    for key in ("active", "approval"):
        check_bool(child(env, key), key, out)
    issuer = child(env, "credentialIssuer")
    issuer_name = scalar_text(issuer)
    if issuer is not None and issuer_name not in names["CredentialIssuer"]:
        out.append(
            at(
                issuer,
                f'credentialIssuer "{issuer_name}" is not a CredentialIssuer in '
                "this file: the product would fail unless the gateway already has it.",
            )
        )
    if scalar_text(child(env, "flow")) == "client-credentials" and issuer is None:
        out.append(
            at(
                env,
                "flow client-credentials needs credentialIssuer: (the issuer that "
                "mints the consumers' credentials).",
            )
        )
    services = child(env, "services")
    if services is not None and not isinstance(services, SequenceNode):
        out.append(at(services, "services must be a list, like [my-service-dev]."))
    for service in items(services):
        service_name = scalar_text(service)
        if service_name not in names["GatewayService"]:
            out.append(
                at(
                    service,
                    f'service "{service_name}" is not a GatewayService name in '
                    f"this file: the product would fail with Failed to find "
                    f"{service_name} in allGatewayServices."
                    + closest(service_name or "", names["GatewayService"]),
                )
            )
