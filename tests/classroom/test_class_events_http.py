"""A learner using only curl and the REST API shows up on the board, step by step, and the
errors the sandbox answered them are on their row."""

from __future__ import annotations

from tests.classroom.class_kit import PASSCODE, CurlLearner, board_row, trainer
from tui.sandbox.classroom import events


def test_a_curl_only_learner_moves_through_every_step(class_sandbox) -> None:
    board = trainer(class_sandbox)
    lines: list[str] = []
    events.add_listener(class_sandbox.ctx, lambda e: lines.append(e.line()))
    alice = CurlLearner(class_sandbox, "Alice", passcode=PASSCODE)
    assert board_row(board, "alice") is None

    alice.login()
    assert board_row(board, "alice")["step"] == "login"
    alice.create_gateway()
    assert board_row(board, "alice")["step"] == "gateway"
    assert alice.publish().status_code == 200
    assert board_row(board, "alice")["step"] == "apply"
    alice.status()
    assert board_row(board, "alice")["step"] == "status"
    assert alice.call().status_code == 401
    assert board_row(board, "alice")["step"] == "try_it"
    client_id, secret = alice.credentials()
    assert board_row(board, "alice")["step"] == "credentials"
    alice.get_token(client_id, secret)
    assert board_row(board, "alice")["step"] == "token"
    assert alice.call(alice.token).status_code == 200
    assert board_row(board, "alice")["step"] == "call"
    alice.destroy()
    row = board_row(board, "alice")
    assert row["step"] == "cleanup" and row["finished"] and not row["stuck"]

    apply_line = next(line for line in lines if "  apply  " in line)
    assert apply_line.split("  ")[1:] == ["Alice", "apply", f"4 created ({alice.gateway})"]
    assert len(apply_line.split("  ")[0]) == 8  # HH:MM:SS


def test_errors_the_sandbox_answered_are_shown_and_three_in_a_row_is_stuck(
    class_sandbox,
) -> None:
    board = trainer(class_sandbox)
    bob = CurlLearner(class_sandbox, "bob", passcode=PASSCODE)
    bob.login()
    for _ in range(3):
        bad = bob.http.post(
            "/ds/api/v3/gateways", json={"displayName": "!bad"}, headers=bob.headers
        )
        assert bad.status_code == 422
    row = board_row(board, "bob")
    assert row["last_error"]["status"] == 422
    assert row["last_error"]["message"].startswith("Unable to create Gateway: Display name must be")
    assert row["errors"] == 3
    assert row["stuck"] and row["stuck_reason"] == "same error 3×"
    bob.create_gateway()
    row = board_row(board, "bob")
    assert row["step"] == "gateway" and not row["stuck"]


def test_a_foreign_token_on_a_learners_route_is_their_error(class_sandbox) -> None:
    board = trainer(class_sandbox)
    carol = CurlLearner(class_sandbox, "carol", passcode=PASSCODE)
    carol.login()
    carol.create_gateway()
    carol.publish()
    carol.status()
    dave = CurlLearner(class_sandbox, "dave", passcode=PASSCODE)
    dave.login()
    dave.create_gateway()
    dave.publish()
    dave.status()
    dave.get_token(*dave.credentials())
    refused = carol.call(dave.token)  # dave's token is for dave's audience
    assert refused.status_code in (401, 403)
    row = board_row(board, "carol")
    assert row["last_error"]["status"] == refused.status_code
    assert row["last_error"]["message"] == refused.json()["message"]
    assert board_row(board, "dave")["step"] == "token"  # no "call" for a refused token
