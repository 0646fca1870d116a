"""Helpers for the consumer-step Pilot tests: a published world and services pointed at it."""

from __future__ import annotations

from typing import Any

from tests.screens.harness import StepHarness
from tests.services.consumer_world import StaticTokens, World
from tui.services.bundle import Services, build_services
from tui.services.secrets import SecretStore
from tui.services.session import Session


def world_services(world: World, **kwargs: Any) -> Services:
    """Services for the world's sandbox, logged in as the world's provider."""
    services = build_services(world.target, secrets=SecretStore(), **kwargs)
    services.client.tokens = StaticTokens(world.provider_token)
    return services


def world_session(world: World, **fields: Any) -> Session:
    session = Session(
        target_kind="sandbox",
        host=world.target.host,
        scheme="http",
        username=world.username,
        gateway_id=world.gateway_id,
        gateway_display_name="Consumer tests",
        service=world.service,
        env_host=world.api_url.split("/")[2],
        api_url=world.api_url,
    )
    for step_id in ("target", "login", "gateway", "template", "review", "apply", "status"):
        session.mark_done(step_id)
    for name, value in fields.items():
        setattr(session, name, value)
    return session


def harness(step_class: type, world: World, session: Session, services: Services) -> StepHarness:
    return StepHarness(step_class, session, services, target=world.target)


def text_of(app: Any, selector: str) -> str:
    widget = app.screen.query_one(selector)
    return str(getattr(widget, "content", "") or widget.render())


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
