"""Per-learner quotas of a class sandbox: gateways per user, services per gateway, config size.

One learner must not be able to slow the class down by publishing thousands of services or
creating hundreds of gateways. The limits come from ``SandboxConfig`` (generous defaults; a
trainer can change them) and are refused the way the real services word a refusal: gwa-api's
``Validation Errors:`` for a publish, the portal's GraphQL failure for a gateway.
"""

from __future__ import annotations

import sqlite3

from .portal_errors import Problem, graphql_failure


def check_config_size(config, text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > config.max_config_bytes:
        raise Problem(
            400,
            {
                "error": "Validation Errors:\nConfiguration is too large for this sandbox "
                f"({size} bytes; the limit is {config.max_config_bytes} bytes)"
            },
        )


def check_services_per_gateway(config, count: int) -> None:
    if count > config.max_services_per_gateway:
        raise Problem(
            400,
            {
                "error": "Validation Errors:\nToo many services for one gateway in this sandbox "
                f"({count}; the limit is {config.max_services_per_gateway})"
            },
        )


def check_gateways_per_user(config, conn: sqlite3.Connection, username: str) -> None:
    """Call inside the gateway-creating transaction, before the insert."""
    row = conn.execute("SELECT COUNT(*) AS n FROM gateways WHERE owner=?", (username,)).fetchone()
    if int(row["n"]) >= config.max_gateways_per_user:
        raise graphql_failure(
            "Unable to create Gateway",
            f"You have reached the limit of {config.max_gateways_per_user} gateways in this "
            "sandbox; delete one you no longer need",
        )
