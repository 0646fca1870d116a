"""The ``jwt-keycloak`` Kong plugin's checks (bcgov/kong-oss-plugins), in its order (§13).

1. token from ``?<uri_param_names>``, cookies ``cookie_names``, headers ``header_names``
   (``\\s*[Bb]earer\\s+(.+)``): none → 401 ``Unauthorized``; several → ``Multiple tokens provided``
2. decode (Kong's jwt parser) → 401 ``Bad token; <err>``
3. ``iss`` equals an entry of ``allowed_iss`` → 401 ``Token issuer not allowed``
4. ``aud`` matches ``allowed_aud`` → 401 ``Token audience not allowed``
5. header ``alg`` equals ``algorithm`` → 403 ``Invalid algorithm``
6. signature against the issuer's keys (``well_known_template`` → ``jwks_uri``; the sandbox
   holds SHARED_IDP_ISSUER's keys itself) → 403 ``Unable to get public key for issuer`` /
   401 ``Invalid token signature``. Only RS256 with RSA keys ever verifies.
7. ``claims_to_verify`` → 401 ``Token claims invalid: ["exp"]="token expired"``;
   ``maximum_expiration`` → 403
8. consumer whose custom_id is the ``azp`` claim → 401 ``Unable to find consumer <azp> for token``
9. ``scope`` / ``realm_roles`` / ``roles`` / ``client_roles`` → 403
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import issuer_keys
from .context import SandboxContext
from .lua_pattern import lua_match

_BEARER = re.compile(r"\s*[Bb]earer\s+(.+)")
# Algorithms Kong's jwt parser knows; anything else (``none``) does not decode.
KNOWN_ALGS = {
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
    "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA",
}  # fmt: skip


# The plugin schema's defaults: Kong fills them in for fields left out or null.
DEFAULTS: dict[str, Any] = {
    "uri_param_names": ["jwt"],
    "cookie_names": [],
    "header_names": ["authorization"],
    "claims_to_verify": ["exp"],
    "run_on_preflight": True,
    "maximum_expiration": 0,
    "algorithm": "RS256",
    "allowed_iss": [],
    "iss_key_grace_period": 10,
    "well_known_template": "%s/.well-known/openid-configuration",
    "consumer_match": False,
    "consumer_match_claim": "azp",
    "consumer_match_claim_custom_id": False,
    "consumer_match_ignore_not_found": False,
}


def effective_config(conf: dict[str, Any]) -> dict[str, Any]:
    return DEFAULTS | {k: v for k, v in conf.items() if v is not None}


@dataclass(frozen=True)
class Outcome:
    """``status`` 0 means authenticated; ``headers`` go upstream (None = remove)."""

    status: int = 0
    message: str = ""
    headers: dict[str, str | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass(frozen=True)
class Jwt:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


# The same token comes back on every call a client makes; its parse is kept (a token's
# expiry and everything else about it are still checked on every request, from the claims).
DECODED_CACHE_SIZE = 512
DECODED_MAX_LENGTH = 4096  # longer tokens are parsed each time, so the cache stays small


def decode(token: str) -> Jwt | str:
    """Kong's jwt_parser: a decoded token or its error text. The result is shared between
    requests that carry the same token: read it, never change it."""
    if len(token) > DECODED_MAX_LENGTH:
        return _decode(token)
    return _decode_remembered(token)


def _decode(token: str) -> Jwt | str:
    parts = token.split(".", 2)
    try:
        if len(parts) != 3:
            raise ValueError("segments")
        header = json.loads(_b64(parts[0]))
        claims = json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return "invalid JSON"
    if not isinstance(header, dict):
        return "invalid JSON"
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
        return "invalid typ"
    if not isinstance(header.get("alg"), str) or header["alg"] not in KNOWN_ALGS:
        return "invalid alg"
    if not isinstance(claims, dict):
        return "invalid claims"
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii", "replace")
    return Jwt(header=header, claims=claims, signing_input=signing_input, signature=signature)


_decode_remembered = functools.lru_cache(maxsize=DECODED_CACHE_SIZE)(_decode)


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def retrieve_tokens(conf: dict[str, Any], query: Any, cookies: dict[str, str], headers: Any):
    found: list[str] = []
    for name in _list(conf["uri_param_names"]):
        found.extend(v for v in query.getlist(name) if v)
    for name in _list(conf["cookie_names"]):
        if cookies.get(name):
            found.append(cookies[name])
    for name in _list(conf["header_names"]):
        values = headers.getlist(name)
        if values:
            match = _BEARER.search(values[0])
            if match and match.group(1):
                found.append(match.group(1))
    return list(dict.fromkeys(found))


def _audience_ok(allowed: Any, aud: Any) -> bool:
    if allowed is None:
        return True
    if aud is None:
        return False
    allowed = str(allowed)
    values = aud if isinstance(aud, list) else [aud]
    return any(str(v) == allowed or lua_match(allowed, str(v)) for v in values)


def _verify_rs256(jwt: Jwt, key: rsa.RSAPublicKey) -> bool:
    try:
        key.verify(jwt.signature, jwt.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


VERIFIED_CACHE_SIZE = 4096


def _verified(ctx: SandboxContext, jwt: Jwt, keys: tuple[rsa.RSAPublicKey, ...]) -> bool:
    """RS256 signature check, remembered per sandbox: a token verified once against a key is
    accepted again only while that same key is still among the issuer's keys (an RSA verify
    costs more than the rest of the plugin). Claims are still checked on every request."""
    seen = ctx.verified_tokens
    token = jwt.signing_input + b"." + jwt.signature
    key = seen.get(token)
    if key is not None and any(k == key for k in keys):
        return True
    for candidate in keys:
        if _verify_rs256(jwt, candidate):
            if len(seen) >= VERIFIED_CACHE_SIZE:
                seen.clear()
            seen[token] = candidate
            return True
    return False


def _claims_errors(claims: dict[str, Any], names: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    now = time.time()
    for name in names:
        value = claims.get(name)
        if name not in ("exp", "nbf"):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[name] = "must be a number"
        elif name == "exp" and value <= now:
            errors[name] = "token expired"
        elif name == "nbf" and value > now:
            errors[name] = "token not valid yet"
    return errors


def _errors_text(errors: dict[str, str]) -> str:
    return ",".join(f'["{k}"]="{v}"' for k, v in errors.items())


def _roles_problem(conf: dict[str, Any], claims: dict[str, Any]) -> str | None:
    scope = conf.get("scope")
    if scope:
        granted = str(claims.get("scope") or "").split()
        if not set(_list(scope)) & set(granted):
            return "Missing required scope"
    realm_roles = conf.get("realm_roles")
    if realm_roles:
        held = _list((claims.get("realm_access") or {}).get("roles"))
        if not set(_list(realm_roles)) & set(held):
            return "Missing required realm role"
    access = claims.get("resource_access") or {}
    client_roles = conf.get("client_roles")
    if client_roles:
        held_client = {
            f"{client}:{role}"
            for client, entry in access.items()
            if isinstance(entry, dict)
            for role in _list(entry.get("roles"))
        }
        if not set(_list(client_roles)) & held_client:
            return "Missing required role"
    roles = conf.get("roles")
    if roles:
        entry = access.get(str(claims.get("azp"))) or {}
        if not set(_list(roles)) & set(_list(entry.get("roles"))):
            return "Missing required role"
    return None


async def _authenticate(ctx: SandboxContext, conf: dict[str, Any], request: Any) -> Outcome:
    tokens = retrieve_tokens(conf, request.query_params, request.cookies, request.headers)
    if not tokens:
        return Outcome(401, "Unauthorized")
    if len(tokens) > 1:
        return Outcome(401, "Multiple tokens provided")
    jwt = decode(tokens[0])
    if isinstance(jwt, str):
        return Outcome(401, f"Bad token; {jwt}")
    iss = jwt.claims.get("iss")
    if not isinstance(iss, str) or iss not in _list(conf.get("allowed_iss")):
        return Outcome(401, "Token issuer not allowed")
    if not _audience_ok(conf.get("allowed_aud"), jwt.claims.get("aud")):
        return Outcome(401, "Token audience not allowed")
    if jwt.header.get("alg") != conf["algorithm"]:
        return Outcome(403, "Invalid algorithm")
    template = str(conf["well_known_template"])
    grace = _number(conf["iss_key_grace_period"], DEFAULTS["iss_key_grace_period"])
    keys = await issuer_keys.keys_for(ctx, iss, template)
    if keys is None:
        return Outcome(403, "Unable to get public key for issuer")
    verified = jwt.header.get("alg") == "RS256" and _verified(ctx, jwt, keys.keys)
    if not verified and jwt.header.get("alg") == "RS256" and keys.age() > grace:
        keys = await issuer_keys.keys_for(ctx, iss, template, refresh=True)
        if keys is None:
            return Outcome(403, "Unable to get public key for issuer")
        verified = _verified(ctx, jwt, keys.keys)
    if not verified:
        return Outcome(401, "Invalid token signature")
    errors = _claims_errors(jwt.claims, _list(conf["claims_to_verify"]))
    if errors:
        return Outcome(401, f"Token claims invalid: {_errors_text(errors)}")
    maximum = conf["maximum_expiration"]
    if isinstance(maximum, int | float) and maximum > 0:
        exp = jwt.claims.get("exp")
        if not isinstance(exp, int | float) or exp - time.time() > maximum:
            text = _errors_text({"exp": "exceeds maximum allowed expiration"})
            return Outcome(403, f"Token claims invalid: {text}")
    headers: dict[str, str | None] = {}
    if conf["consumer_match"]:
        claim = str(conf["consumer_match_claim"])
        value = jwt.claims.get(claim)
        consumer = _find_consumer(ctx, value, bool(conf.get("consumer_match_claim_custom_id")))
        if consumer is None and not conf.get("consumer_match_ignore_not_found"):
            return Outcome(401, f"Unable to find consumer {_lua_text(value)} for token")
        if consumer is not None:
            headers = {
                "X-Consumer-ID": consumer["kong_consumer_id"],
                "X-Consumer-Custom-ID": consumer["client_id"],
                "X-Consumer-Username": consumer["client_id"],
                "X-Credential-Identifier": None,
                "X-Anonymous-Consumer": None,
            }
    problem = _roles_problem(conf, jwt.claims)
    if problem:
        return Outcome(403, f"Access token does not have the required scope/role: {problem}")
    return Outcome(0, "", headers)


def _number(value: Any, default: float) -> float:
    """A stored number, or the schema default for a value Kong would never have accepted."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return float(default)
    return float(value)


def _lua_text(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _find_consumer(ctx: SandboxContext, value: Any, by_custom_id: bool):
    if value is None:
        return None
    column = "client_id" if by_custom_id else "kong_consumer_id"
    row = ctx.db.query_one(
        f"SELECT client_id, kong_consumer_id FROM consumers WHERE {column}=?", (str(value),)
    )
    if row is None and not by_custom_id:  # Kong loads by id, then by username
        row = ctx.db.query_one(
            "SELECT client_id, kong_consumer_id FROM consumers WHERE client_id=?", (str(value),)
        )
    return row


async def run(ctx: SandboxContext, conf: dict[str, Any], request: Any) -> Outcome:
    """The plugin's access phase for one request."""
    conf = effective_config(conf)
    if not conf["run_on_preflight"] and request.method == "OPTIONS":
        return Outcome(0)
    outcome = await _authenticate(ctx, conf, request)
    if outcome.ok or not conf.get("anonymous"):
        return outcome
    anonymous = _find_consumer(ctx, conf["anonymous"], False)
    if anonymous is None:
        return Outcome(500, "An unexpected error occurred")
    return Outcome(
        0,
        "",
        {
            "X-Consumer-ID": anonymous["kong_consumer_id"],
            "X-Consumer-Custom-ID": anonymous["client_id"],
            "X-Consumer-Username": anonymous["client_id"],
            "X-Credential-Identifier": None,
            "X-Anonymous-Consumer": "true",
        },
    )
