"""jwt-keycloak remembers a token's parse and its verified signature between requests
(``jwt_keycloak.decode``, ``_verified``): what it remembers must never let a token through
that the plugin would refuse if it saw the token for the first time."""

from __future__ import annotations

import time

from tests.sandbox.kong_fixtures import add_consumer, consumer_token, remove_consumer
from tests.sandbox.test_jwt_keycloak import Protected, api, message

__all__ = ["api"]  # the module-scoped fixture, shared with test_jwt_keycloak.py


def test_a_remembered_token_is_refused_once_it_expires(api: Protected) -> None:
    token = api.signed(exp=int(time.time()) + 2)
    assert api.call(token).status_code == 200  # parsed, verified and remembered
    deadline = time.monotonic() + 15
    answer = (200, "")
    while time.monotonic() < deadline:  # the same token, until its exp has passed
        response = api.call(token)
        if response.status_code != 200:
            answer = message(response)
            break
        time.sleep(0.05)  # time itself is tested (the exp passing); no need to spin the CPU
    assert answer == (401, 'Token claims invalid: ["exp"]="token expired"')


def test_a_remembered_token_is_refused_once_its_consumer_is_gone(api: Protected) -> None:
    consumer = add_consumer(api.server, api.gateway)
    token = consumer_token(api.server, consumer)
    assert api.call(token).status_code == 200  # parsed, verified and remembered
    remove_consumer(api.server, consumer.client_id)
    assert message(api.call(token)) == (
        401,
        f"Unable to find consumer {consumer.client_id} for token",
    )
