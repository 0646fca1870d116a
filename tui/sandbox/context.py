"""What every sandbox module shares: configuration, storage, keys and the live URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from .db import Database
from .keys import LOGIN_REALM, SHARED_IDP_REALM, KeyRing

# The issuer the client-credentials-shared-idp template hard-codes in ``allowed_iss``.
SHARED_IDP_ISSUER = "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw"
LOGIN_CLIENT_ID = "gwa-cli"
# Suffixes the test portal transforms (contract §8.4); other hosts are custom domains.
TRANSFORMED_SUFFIXES = (
    ".api.gov.bc.ca",
    ".data.gov.bc.ca",
    ".maps.gov.bc.ca",
    ".openmaps.gov.bc.ca",
    ".apps.gov.bc.ca",
    ".apis.gov.bc.ca",
)


@dataclass
class SandboxConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    portal_port: int = 8460  # 0 picks a free port
    data_plane_port: int = 8461
    upstream_port: int = 8462
    passcode: str | None = None
    # The name learners use to reach this machine (a class sandbox on 0.0.0.0); defaults to
    # the bind address, or 127.0.0.1 when bound to every interface.
    public_host: str | None = None
    allow_localhost_upstreams: bool = True
    max_body_bytes: int = 2 * 1024 * 1024
    # A class sandbox (``sandbox serve``): one name per learner, throttled sign-in, the board.
    classroom: bool = False
    trainer_key: str | None = None  # None: a random key kept in the data dir


@dataclass
class SandboxContext:
    config: SandboxConfig
    db: Database
    keys: KeyRing
    bound: dict[str, int] = field(default_factory=dict)  # listener name -> bound port

    @classmethod
    def open(cls, config: SandboxConfig, schemas: list[str]) -> SandboxContext:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(config.data_dir / "sandbox.sqlite3", schemas)
        return cls(config=config, db=db, keys=KeyRing(db))

    # -- addresses, always computed from the current listeners (never stored) ---------------
    @property
    def advertised_host(self) -> str:
        if self.config.public_host:
            return self.config.public_host
        if self.config.host in ("0.0.0.0", "::", ""):
            return "127.0.0.1"
        return self.config.host

    def _port(self, name: str) -> int:
        default = {
            "portal": self.config.portal_port,
            "data_plane": self.config.data_plane_port,
            "upstream": self.config.upstream_port,
        }[name]
        return self.bound.get(name, default)

    @property
    def portal_url(self) -> str:
        return f"http://{self.advertised_host}:{self._port('portal')}"

    @property
    def portal_hostport(self) -> str:
        return f"{self.advertised_host}:{self._port('portal')}"

    @property
    def data_plane_port(self) -> int:
        return self._port("data_plane")

    @property
    def upstream_url(self) -> str:
        return f"http://{self.advertised_host}:{self._port('upstream')}"

    @property
    def login_issuer(self) -> str:
        return f"{self.portal_url}/auth/realms/{LOGIN_REALM}"

    @property
    def shared_idp_base(self) -> str:
        """Where the shared IdP realm is served (its tokens still carry SHARED_IDP_ISSUER)."""
        return f"{self.portal_url}/auth/realms/{SHARED_IDP_REALM}"

    @property
    def shared_idp_token_endpoint(self) -> str:
        return f"{self.shared_idp_base}/protocol/openid-connect/token"

    def env_host(self, route_host: str) -> str:
        """The host a learner calls for a route host, as the test portal transforms it.

        ``my-svc.dev.api.gov.bc.ca`` → ``my-svc-dev-api-gov-bc-ca.localhost:<data plane port>``.
        Custom domains are left alone (contract §8.4), with the data plane port added.
        """
        host = route_host.lower()
        if host.endswith(TRANSFORMED_SUFFIXES):
            host = host.replace(".", "-") + ".localhost"
        return f"{host}:{self.data_plane_port}"

    @property
    def version(self) -> str:
        return __version__


_SAFE = re.compile(r"^[A-Za-z0-9._@ ()'/-]*$")


def is_safe_name(value: str) -> bool:
    """Names that may appear in paths: no traversal, no control characters."""
    return bool(_SAFE.match(value)) and ".." not in value
