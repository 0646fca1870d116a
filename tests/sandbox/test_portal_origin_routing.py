"""The portal origin's routing: the pages and the class board sit at the root beside the REST
mounts, and claim only their own paths, so every other path answers as the portal does."""

from __future__ import annotations

import httpx

from tui.sandbox.server import SandboxServer


def _get(sandbox: SandboxServer, method: str, path: str) -> httpx.Response:
    with httpx.Client(base_url=sandbox.info.portal_url, follow_redirects=False) as http:
        return http.request(method, path)


def test_an_unknown_path_is_the_portals_json_404(sandbox: SandboxServer) -> None:
    answer = _get(sandbox, "GET", "/no-such-page")
    assert answer.status_code == 404
    assert answer.json() == {"message": "Resource not found"}


def test_a_wrong_method_on_the_discovery_path_is_405_not_a_missing_page(
    sandbox: SandboxServer,
) -> None:
    answer = _get(sandbox, "POST", "/ds/api")
    assert answer.status_code == 405
    assert answer.json() == {"message": "Method Not Allowed"}


def test_a_page_path_with_a_method_it_does_not_take_is_405(sandbox: SandboxServer) -> None:
    for method, path in (("PUT", "/login"), ("DELETE", "/manager/gateways"), ("PUT", "/class")):
        answer = _get(sandbox, method, path)
        assert answer.status_code == 405, (method, path)
        assert answer.json() == {"message": "Method Not Allowed"}


def test_a_page_that_needs_a_session_sends_the_browser_to_sign_in(sandbox: SandboxServer) -> None:
    answer = _get(sandbox, "GET", "/manager/consumers")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?identity=provider&f=/manager/consumers"


def test_a_refused_page_is_an_html_page_with_the_reason(sandbox: SandboxServer) -> None:
    answer = _get(sandbox, "GET", "/devportal/api-directory/no-such-dataset")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "There is no such API in the directory." in answer.text


def test_a_missing_portal_asset_is_a_plain_404(sandbox: SandboxServer) -> None:
    answer = _get(sandbox, "GET", "/portal-static/no-such-file.css")
    assert answer.status_code == 404
    assert answer.json() == {"message": "Resource not found"}


def test_the_class_board_without_the_trainer_key_is_401(sandbox: SandboxServer) -> None:
    answer = _get(sandbox, "GET", "/class.json")
    assert answer.status_code == 401
    assert answer.text == "Trainer key required."


def test_a_trailing_slash_on_a_page_redirects_to_the_page(sandbox: SandboxServer) -> None:
    answer = _get(sandbox, "GET", "/login/")
    assert answer.status_code in (307, 308)
    assert answer.headers["location"].endswith("/login")


def test_a_page_form_streamed_over_the_body_cap_is_413_not_a_page(sandbox: SandboxServer) -> None:
    cap = sandbox.ctx.config.max_body_bytes

    def chunks():
        for _ in range(cap // 65536 + 2):
            yield b"a" * 65536

    with httpx.Client(base_url=sandbox.info.portal_url) as http:
        answer = http.post(
            "/login",
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 413
    assert "larger than the sandbox limit" in answer.json()["message"]


def test_a_form_the_parser_refuses_is_answered_with_a_page(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.info.portal_url) as http:
        answer = http.post(
            "/login",
            content=b"--x\r\nno headers here\r\n",
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
    assert answer.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in answer.text
    assert "Traceback" not in answer.text
