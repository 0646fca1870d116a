"""The board says how long each learner has been on their step, in seconds, minutes or hours,
so a trainer sees at a glance who has been stuck for a while."""

from __future__ import annotations

import re

import pytest

from tests.classroom.class_kit import PASSCODE, CurlLearner, trainer


@pytest.mark.parametrize(
    ("back", "shown"),
    [(5 * 60, r"5 min \d+ s"), (2 * 3600 + 7 * 60, r"2 h 7 min")],
)
def test_the_time_on_the_step_is_shown_in_minutes_or_hours(class_sandbox, back, shown) -> None:
    board = trainer(class_sandbox)
    gina = CurlLearner(class_sandbox, "gina", passcode=PASSCODE)
    gina.login()
    with class_sandbox.ctx.db.transaction() as conn:
        conn.execute("UPDATE class_events SET at = at - ? WHERE learner = 'gina'", (back,))
    page = board.get("/class")
    assert page.status_code == 200
    row = re.search(r'<tr class="[a-z]+" data-name="gina">.*?</tr>', page.text, re.S)
    assert row is not None, page.text
    cell = re.search(r'<td class="time">([^<]*)</td>', row.group(0))
    assert cell is not None and re.fullmatch(shown, cell.group(1)), cell
