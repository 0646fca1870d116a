"""Public keys of token issuers, as ``jwt-keycloak`` gets them (contract §13, row 6).

The plugin formats ``well_known_template`` (default ``%s/.well-known/openid-configuration``)
with the token's ``iss``, reads ``jwks_uri`` there and caches the keys; when no key verifies
and the cache is older than ``iss_key_grace_period`` it fetches once more. The sandbox holds
the shared IdP issuer's key itself (that issuer's real host is not reachable offline);
other issuers are fetched over HTTP with the data plane's shared client.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from . import proxy
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


_cache: dict[tuple[str, str], KeySet] = {}


def forget(ctx: SandboxContext) -> None:
    """Drop the cached keys of one sandbox (tests, key rotation)."""
    prefix = str(ctx.config.data_dir)
    for key in [k for k in _cache if k[0] == prefix]:
        del _cache[key]


async def _get_json(url: str) -> object:
    response = await proxy.shared_client().get(url, timeout=FETCH_TIMEOUT)
    if response.status_code != 200:
        raise ValueError(f"Failed calling url {url} response status {response.status_code}")
    return response.json()


async def _fetch(well_known: str) -> KeySet | None:
    try:
        config = await _get_json(well_known)
        if not isinstance(config, dict) or not isinstance(config.get("jwks_uri"), str):
            return None
        jwks = await _get_json(config["jwks_uri"])
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
    cache_key = (str(ctx.config.data_dir), well_known)
    if not refresh and cache_key in _cache:
        return _cache[cache_key]
    _cache.pop(cache_key, None)
    keys = await _fetch(well_known)
    if keys is not None:
        _cache[cache_key] = keys
    return keys
