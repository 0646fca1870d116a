"""Plain-language explanations of the fields in the gateway YAML, for the Review step.

:func:`explain` takes a key path from :func:`tui.services.manifest.field_at`, such as
``("GatewayService", "plugins", "jwt-keycloak", "config", "allowed_aud")``, and finds the most
specific entry: first with the document kind in front, then without it, dropping leading
keys until something matches. Bare terms (``("jwt-keycloak",)``, ``("ns.<gw>",)``) work too.
"""

from __future__ import annotations

_TAGS = (
    "Tags label each gateway object. The tag ns.<gateway id> (for example ns.gw-1a2b3) says "
    "which gateway owns the service, route or plugin; publishing refuses anything without it "
    '("missing required tag"), and objects with another gateway\'s ns tag are refused too. '
    "Keep it exactly as generated."
)
_ENV_FLOW = (
    "How consumers get access in this environment. client-credentials: each approved consumer "
    "gets a client ID and secret to trade for a token at the issuer. public: no access control "
    "at all. Others: kong-api-key-only (an API key), authorization-code (users log in), "
    "protected-externally (you protect it yourself)."
)

HELP: dict[tuple[str, ...], str] = {
    # -- every document
    ("kind",): (
        "The type of this document. gwa apply sends GatewayService documents to the gateway "
        "(Kong) and CredentialIssuer, DraftDataset and Product documents to the portal. A "
        'document without kind is refused: "This config template is not supported".'
    ),
    ("GatewayService", "kind"): (
        "A GatewayService describes one backend (upstream) and the public routes that lead to "
        "it, plus the plugins that guard it. apply publishes all of them to Kong in one go."
    ),
    ("CredentialIssuer", "kind"): (
        'A CredentialIssuer ("Authorization Profile" in the portal) says how consumers get '
        "credentials: which identity provider issues their tokens and how clients authenticate."
    ),
    ("DraftDataset", "kind"): (
        "A DraftDataset is the API's card in the API Directory: its title, description, owning "
        "organization, licence and security class."
    ),
    ("Product", "kind"): (
        "A Product is what consumers request access to. It bundles services and lists the "
        "environments (dev, test, prod…) in which access can be granted."
    ),
    ("name",): "The object's name. Other documents refer to it by this exact text.",
    ("tags",): _TAGS,
    ("ns.<gw>",): _TAGS,
    # -- GatewayService
    ("GatewayService", "name"): (
        "The service's name in Kong (<service>-dev). The Product's services list must use this "
        "exact name, and it must not be taken in any other gateway."
    ),
    ("host",): (
        "Where the gateway forwards requests: the upstream's host name, as taken from the "
        "upstream URL (gwa keeps a :port here if the URL had one)."
    ),
    ("port",): "The upstream's port: the URL's own port, else 443 for https and 80 for http.",
    ("protocol",): "How the gateway talks to the upstream: https or http.",
    ("url",): (
        "The whole upstream URL in one field, instead of host, port and protocol (used by the "
        "quick-start template)."
    ),
    ("retries",): "How many times Kong retries a failed upstream call; 0 means never.",
    ("routes",): (
        "Routes are the public ways in: which host names, paths and methods reach this service. "
        "A service without routes cannot be called."
    ),
    ("routes", "name"): "The route's name; gwa-api uses it in its error messages.",
    ("hosts",): (
        "The public host name(s) of the route, <service>.dev.api.gov.bc.ca. Host names are "
        "shared by all gateways, which is why the service name is checked for availability. "
        "They must end in .api.gov.bc.ca; on the test instance APS rewrites them to "
        "<service>-dev-api-gov-bc-ca.test.api.gov.bc.ca."
    ),
    ("paths",): (
        "Only requests whose path starts with one of these reach the service. Left out, every "
        "path matches."
    ),
    ("methods",): (
        "The HTTP methods the route accepts. The template allows GET only; a POST is answered "
        "with 404 by the gateway until you add it here."
    ),
    ("strip_path",): (
        "If true, the matched path prefix is removed before forwarding. false (as generated) "
        "forwards the path unchanged, so /uuid reaches the upstream as /uuid."
    ),
    ("https_redirect_status_code",): "The status Kong answers plain-http callers with (426).",
    ("path_handling",): "How Kong joins the service path and the request path (v0 as generated).",
    ("request_buffering",): "Kong reads the whole request body before forwarding it.",
    ("response_buffering",): "Kong reads the whole response before passing it on.",
    ("plugins",): (
        "Plugins add behaviour at the gateway. Here jwt-keycloak checks each request's token "
        "and request-transformer is a harmless example that changes nothing."
    ),
    ("jwt-keycloak",): (
        "jwt-keycloak protects the service: a request needs a valid JWT (Authorization: Bearer "
        "…) signed by an allowed issuer, meant for the allowed audience, and belonging to a "
        "known consumer. Otherwise the gateway answers 401."
    ),
    ("jwt-keycloak", "config"): "The settings of the token check; the important ones follow.",
    ("allowed_iss",): (
        "The token issuers the gateway trusts: the shared IdP's realm "
        "(https://dev.loginproxy.gov.bc.ca/auth/realms/apigw). A token from anywhere else is "
        "refused."
    ),
    ("allowed_aud",): (
        "The audience a token must carry: ap-<issuer client id>-<environment>, e.g. "
        "ap-gw-1a2b3-default-dev. It is derived from the CredentialIssuer's name and the "
        "Product environment, so renaming either without changing this makes every token fail."
    ),
    ("consumer_match",): (
        "true: the token must belong to a consumer the gateway knows. Consumers are created "
        "when access is approved in the portal."
    ),
    ("consumer_match_claim",): (
        "Which token claim names the consumer: azp, the client ID the token was issued to."
    ),
    ("consumer_match_claim_custom_id",): (
        "true: the claim is compared with the consumer's custom ID (the client ID) rather than "
        "its Kong username."
    ),
    ("consumer_match_ignore_not_found",): (
        "false: a valid token from an unknown client is still refused. true would let any "
        "client of the issuer in."
    ),
    ("claims_to_verify",): "Claims checked on every token; exp rejects expired tokens.",
    ("uri_param_names",): (
        "Query parameters that may carry the token (?jwt=…) instead of the Authorization header."
    ),
    ("cookie_names",): "Cookies that may carry the token; none here.",
    ("algorithm",): "The token signature algorithm the gateway accepts (RS256).",
    ("maximum_expiration",): "A limit on token lifetime in seconds; 0 means no extra limit.",
    ("run_on_preflight",): "Also check tokens on CORS preflight (OPTIONS) requests.",
    ("iss_key_grace_period",): "Seconds to wait before re-fetching the issuer's signing keys.",
    ("request-transformer",): (
        "request-transformer can add, remove or rename headers and parameters on the way to "
        "the upstream. As generated (http_method: null) it does nothing: it is an example."
    ),
    ("request-transformer", "config"): (
        "What to add, remove, rename or replace in requests; empty here, so nothing changes."
    ),
    ("enabled",): "Whether the plugin runs. false switches it off without deleting it.",
    # -- CredentialIssuer
    ("CredentialIssuer", "name"): (
        "The profile's name, <gateway> default. The Product environment's credentialIssuer "
        "points to it, and its kebab-case form is the client ID in allowed_aud."
    ),
    ("description",): "Free text shown in the portal.",
    ("flow",): (
        "client-credentials: consumers are applications that exchange a client ID and secret "
        "for a short-lived token, with no user logging in."
    ),
    ("mode",): "auto: credentials are issued as soon as access is approved, with no manual step.",
    ("authPlugin",): "The gateway plugin that checks these tokens: jwt-keycloak.",
    ("clientAuthenticator",): (
        "How a consumer proves who it is at the token endpoint: client-secret (a shared "
        "secret), or client-jwt / client-jwt-jwks-url (a signed JWT)."
    ),
    ("clientRoles",): "Roles a consumer can be granted; none here.",
    ("inheritFrom",): (
        "Gold Shared IdP: use the shared Keycloak realm (apigw) that APS runs, so you never "
        "have to administer an identity provider yourself."
    ),
    # -- DraftDataset
    ("DraftDataset", "name"): (
        "The dataset's key, <service>-dataset. The Product's dataset field points here."
    ),
    ("title",): "The API's title on its Directory card.",
    ("organization",): "The ministry that owns the API; it must exist in the portal.",
    ("organizationUnit",): "The branch within the organization; it must exist in the portal.",
    ("notes",): "The description shown on the Directory card (Markdown).",
    ("DraftDataset", "tags"): "Search keywords for the Directory card.",
    ("license_title",): "The licence shown to consumers (Access Only).",
    ("view_audience",): "Who may see the card: Public, Government, Named users…",
    ("download_audience",): "Who may download the API's resources.",
    ("security_class",): "The information security class of the data (PUBLIC here).",
    ("record_publish_date",): "The date shown as the record's publication date.",
    # -- Product
    ("Product", "name"): "The product's name as consumers see it: <service> API.",
    ("dataset",): "The DraftDataset (by name) that gives this product its Directory card.",
    ("environments",): (
        "The stages of the product consumers can request: one dev environment here. Each has "
        "its own flow, approval, issuer and services."
    ),
    ("environments", "name"): "The stage: dev, test, prod, sandbox or other.",
    ("environments", "flow"): _ENV_FLOW,
    ("active",): (
        "false: the environment is not listed in the Directory yet; you can still preview it. "
        "true publishes it (needs an organization)."
    ),
    ("approval",): (
        "false: access requests are granted at once. true: a gateway admin approves each one."
    ),
    ("credentialIssuer",): (
        "The CredentialIssuer (by name) that issues consumers' credentials for this environment."
    ),
    ("services",): (
        "The GatewayServices (by name) this environment gives access to. They must be "
        "published in the same gateway first, which apply does."
    ),
    ("appId",): "The portal's own id; filled in by the portal, leave it out.",
}
HELP[("jwt-keycloak", "name")] = HELP[("jwt-keycloak",)]
HELP[("request-transformer", "name")] = HELP[("request-transformer",)]


def explain(path: tuple[str, ...]) -> str | None:
    """A plain explanation of the field at ``path``, or None when there is none.

    ``(kind, *keys)`` is looked up whole first (``("Product", "name")``), then by ever
    shorter tails of the keys without the kind (``("routes", "hosts")``, ``("hosts",)``).
    """
    path = tuple(path)
    if not path:
        return None
    if len(path) == 1 and path[0].startswith("ns."):
        return HELP[("ns.<gw>",)]
    if path in HELP:
        return HELP[path]
    for start in range(1, len(path)):
        text = HELP.get(path[start:])
        if text:
            return text
    return None
