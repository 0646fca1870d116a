"""The tutorial's closing sections, for the Summary: Next steps and Get help."""

from __future__ import annotations

DOCS = "https://developer.gov.bc.ca/docs/default/component/aps-infra-platform-docs"

NEXT_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Learn more about Gateway Service configuration",
        (
            "Create a Gateway Service",
            "Client Credential Protection",
            "Upstream Service Setup",
        ),
    ),
    (
        "Discover other API Services Portal features",
        (
            "Manage Team Access",
            "Share an API (take it out of private preview)",
            "Manage Consumer Access",
            "Monitor your Services",
            "CI/CD Integration (gwa login with a service account, then gwa apply)",
        ),
    ),
)

GET_HELP = (
    "Create an account on Rocket.Chat and join the #aps-ops channel to reach the API Program "
    "Services team and the community (https://chat.developer.gov.bc.ca/channel/aps-ops), or "
    "open a support ticket (https://dpdd.atlassian.net/servicedesk/customer/portal/1/group/2): "
    "the team answers by email within 3 to 5 business days."
)


def summary_lines() -> list[str]:
    """Plain lines for the Summary screen and the report."""
    lines = ["Next steps", f"  The APS guides: {DOCS}"]
    for heading, items in NEXT_STEPS:
        lines.append(f"  {heading}:")
        lines.extend(f"    • {item}" for item in items)
    lines += ["", "Get help", f"  {GET_HELP}"]
    return lines
