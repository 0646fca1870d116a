"""The built-in upstream answers httpbin's less common requests as httpbin does: an uploaded
file is echoed under ``files``, a redirect status carries httpbin's Location, and a choice list
that is empty or weighs nothing is a bad status code."""

from __future__ import annotations

import httpx
import pytest


def test_an_uploaded_file_is_echoed_under_files_and_fields_under_form(sandbox) -> None:
    r = httpx.post(
        f"{sandbox.ctx.upstream_url}/anything",
        data={"note": "hello"},
        files={"report": ("report.txt", b"line one\nline two\n", "text/plain")},
        timeout=15,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["files"] == {"report": "line one\nline two\n"}
    assert body["form"] == {"note": "hello"}


@pytest.mark.parametrize("code", [301, 302, 303, 307])
def test_a_redirect_status_points_where_httpbin_points(sandbox, code: int) -> None:
    r = httpx.get(f"{sandbox.ctx.upstream_url}/status/{code}", timeout=15)
    assert (r.status_code, r.headers["location"]) == (code, "/redirect/1")


@pytest.mark.parametrize("spec", ["200:0,500:0", "200,-", "200:-1"])
def test_a_choice_list_that_cannot_choose_is_a_bad_status_code(sandbox, spec: str) -> None:
    r = httpx.get(f"{sandbox.ctx.upstream_url}/status/{spec}", timeout=15)
    assert (r.status_code, r.text) == (400, "Invalid status code")
