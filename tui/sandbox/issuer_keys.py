"""Public keys of token issuers, as ``jwt-keycloak`` gets them (docs/contract.md#s13, row 6).

The plugin formats ``well_known_template`` (default ``%s/.well-known/openid-configuration``)
with the token's ``iss``, reads ``jwks_uri`` there and caches the keys; when no key verifies
and the cache is older than ``iss_key_grace_period`` it fetches once more. The sandbox holds
the shared IdP issuer's key itself (that issuer's real host is not reachable offline);
other issuers are fetched over HTTP with the sandbox's own client, and their keys cached in
the sandbox's context (``ctx.issuer_keys``), one cache per sandbox.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from .context import SHARED_IDP_ISSUER, SandboxContext
from .keys import SHARED_IDP_REALM

FETCH_TIMEOUT = 5.0


@dataclass(frozen=True)
class KeySet:
    keys: tuple[rsa.RSAPublicKey, ...]
    fetched_at: float
    local: bool = False

    def age(self) -> float:
        return 0.0 if self.local else time.time() - self.fetched_at


def forget(ctx: SandboxContext) -> None:
    """Drop the cached keys of one sandbox (tests, key rotation)."""
    ctx.issuer_keys.clear()


async def _get_json(ctx: SandboxContext, url: str) -> object:
    response = await ctx.http_client().get(url, timeout=FETCH_TIMEOUT)
    if response.status_code != 200:
        raise ValueError(f"Failed calling url {url} response status {response.status_code}")
    return response.json()


async def _fetch(ctx: SandboxContext, well_known: str) -> KeySet | None:
    import httpx  # only when a token names an issuer other than the sandbox's own

    try:
        config = await _get_json(ctx, well_known)
        if not isinstance(config, dict) or not isinstance(config.get("jwks_uri"), str):
            return None
        jwks = await _get_json(ctx, config["jwks_uri"])
    except (httpx.HTTPError, ValueError):
        return None
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        return None
    keys = []
    for entry in jwks["keys"]:
        if (
            isinstance(entry, dict)
            and entry.get("kty") == "RSA"
            and entry.get("use", "sig") == "sig"
        ):
            try:
                key = jwt.algorithms.RSAAlgorithm.from_jwk(entry)
            except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
                continue
            if isinstance(key, rsa.RSAPublicKey):
                keys.append(key)
    return KeySet(tuple(keys), time.time())


async def keys_for(
    ctx: SandboxContext, issuer: str, template: str, *, refresh: bool = False
) -> KeySet | None:
    """The issuer's keys, or None when they cannot be fetched."""
    if issuer == SHARED_IDP_ISSUER:
        return KeySet((ctx.keys.public_key(SHARED_IDP_REALM),), time.time(), local=True)
    well_known = template.replace("%s", issuer, 1)
    cache = ctx.issuer_keys
    if not refresh and well_known in cache:
        return cache[well_known]
    cache.pop(well_known, None)
    keys = await _fetch(ctx, well_known)
    if keys is not None:
        cache[well_known] = keys
    return keys
