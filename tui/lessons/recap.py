"""Two lessons the tutorial teaches in prose: the API Directory (private preview) and the
"Access your API" recap of what the learner has set up, with the test and production hosts."""

from __future__ import annotations

DIRECTORY_LESSON = (
    "The API Directory is where developers discover APIs and request access. Publishing put "
    "a DraftDataset (the listing's description) and a Product (what consumers get access to) "
    "in your gateway. The listing starts in private preview: only you and your gateway's "
    "team see it, through Gateways → your gateway → Products → Preview in Directory. It goes "
    "public only when you share it. Requesting access from that preview card is how you, "
    "acting as a consumer, get credentials for your own API."
)
SHARED_IDP = "Pathfinder SSO"  # how the tutorial names the shared identity provider


def vanity_hosts(service: str) -> dict[str, str]:
    """The Dev route's URL on the test portal and on production, for ``service``."""
    name = service or "<MYSERVICE>"
    return {
        "test": f"https://{name}-dev-api-gov-bc-ca.test.api.gov.bc.ca/",
        "production": f"https://{name}-dev.api.gov.bc.ca/",
    }


def access_recap(service: str, api_url: str = "") -> list[tuple[str, str]]:
    """(what, explanation) pairs: what the learner has set up before calling the API.

    ``api_url`` is where this run's API answers (the sandbox's, or the test portal's).
    """
    hosts = vanity_hosts(service)
    here = f" Here it is {api_url}." if api_url else ""
    return [
        (
            "A vanity URL",
            f"Your route answers on a name of your own.{here} On the test portal that is "
            f"{hosts['test']}; on production it would be {hosts['production']}.",
        ),
        (
            "A *.api.gov.bc.ca certificate",
            "The gateway serves every vanity URL over HTTPS with the wildcard *.api.gov.bc.ca "
            "certificate, so you manage no certificate yourself.",
        ),
        (
            f"Client Credential flow with {SHARED_IDP}",
            f"Consumers get a token from the shared identity provider ({SHARED_IDP}, the "
            "'shared IdP') with a client ID and secret, and send it as a Bearer token.",
        ),
        (
            "Authentication at the gateway, authorization in your API",
            "The gateway's jwt-keycloak plugin proves who is calling (a valid token of a "
            "consumer with access) before anything reaches you; deciding what that caller may "
            "do with your data stays in your API.",
        ),
        (
            "A listing in private preview",
            "Your API Directory entry exists but only your team sees it until you share it.",
        ),
    ]
