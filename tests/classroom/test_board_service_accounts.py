"""What a learner does through a service account (``gwa login --client-id``) counts on the
board for the learner who owns the account's gateway, not as a learner of its own."""

from __future__ import annotations

import httpx

from tests.classroom.class_kit import PASSCODE, CurlLearner, board_row, trainer


def test_a_publish_by_a_gateways_service_account_moves_its_owner(class_sandbox) -> None:
    board = trainer(class_sandbox)
    frank = CurlLearner(class_sandbox, "frank", passcode=PASSCODE)
    frank.login()
    frank.create_gateway()
    assert board_row(board, "frank")["step"] == "gateway"
    account = frank.http.post(
        "/sandbox/service-accounts", json={"gatewayId": frank.gateway}, headers=frank.headers
    ).json()
    token = httpx.post(
        account["tokenEndpoint"],
        data={
            "grant_type": "client_credentials",
            "client_id": account["clientId"],
            "client_secret": account["clientSecret"],
        },
        timeout=15,
    )
    assert token.status_code == 200, token.text
    frank.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert frank.publish().status_code == 200
    names = [row["name"] for row in board.get("/class.json").json()["learners"]]
    assert not any(name.startswith("service-account-") for name in names), names
    assert board_row(board, "frank")["step"] == "apply"
