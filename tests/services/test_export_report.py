"""The exported report, read as Markdown the way a viewer renders it (markdown-it, as Textual's
Markdown widget does): its sections in order, each holding its table or list, and the values a
learner looks up in it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from markdown_it import MarkdownIt

from tests.services.test_export import finished_session
from tui.lessons import install_gwa, next_steps, quiz
from tui.services.export import SCRIPT_NAME, build_report
from tui.services.session import Session
from tui.steps import STEPS

TITLE = "gwa-wizard: Protect an API with Client Credential Flow"
SECTIONS = [
    TITLE,
    "What was built",
    "URLs",
    "Time per step",
    "Install the gwa CLI",
    "Next steps and help",
    "Secrets",
]


@dataclass
class Section:
    """One heading's content: each block's kind ("table", "list", "paragraph", "fence",
    "heading") in order, the table rows, list items and paragraph texts."""

    kinds: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    fences: list[str] = field(default_factory=list)


def sections(report: str) -> dict[str, Section]:
    """The report's level-1 and level-2 headings (in order) with their content."""
    md = MarkdownIt("commonmark").enable("table")
    found: dict[str, Section] = {}
    current: Section | None = None
    tokens = md.parse(report)
    depth = 0  # inside a list or table: their paragraphs and rows are not blocks of their own
    row: list[str] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            current = found.setdefault(tokens[i + 1].content, Section())
            continue
        if current is None:
            raise AssertionError(f"content before the title: {token}")
        if token.type == "heading_open":
            current.kinds.append("heading")
        elif token.type in ("table_open", "bullet_list_open"):
            if depth == 0:
                current.kinds.append("table" if token.type == "table_open" else "list")
            depth += 1
        elif token.type in ("table_close", "bullet_list_close"):
            depth -= 1
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append(tokens[i + 1].content if tokens[i + 1].type == "inline" else "")
        elif token.type == "tr_close":
            current.rows.append(row)
        elif token.type == "list_item_open":
            current.items.append(tokens[i + 2].content)
        elif token.type == "paragraph_open" and depth == 0:
            current.kinds.append("paragraph")
            current.paragraphs.append(tokens[i + 1].content)
        elif token.type == "fence":
            current.kinds.append("fence")
            current.fences.append(token.content)
    return found


def table(section: Section) -> dict[str, list[str]]:
    """A table's rows by their first cell (the header row included)."""
    return {r[0]: r[1:] for r in section.rows}


def test_report_has_the_sections_a_reader_looks_for_in_order() -> None:
    found = sections(build_report(finished_session()))
    assert list(found) == SECTIONS
    assert [s.kinds for s in found.values()] == [
        ["paragraph"],  # the target line
        ["table"],
        ["list"],
        ["table"],
        found["Install the gwa CLI"].kinds,  # as install_gwa writes it, checked below
        ["fence"],
        ["paragraph"],
    ]


def test_report_lists_what_was_built_with_the_learners_values() -> None:
    found = sections(build_report(finished_session()))
    target = found[TITLE].paragraphs
    assert target == ["Target: **sandbox** (`http://127.0.0.1:8460`), user `janis@idir`"]
    assert table(found["What was built"]) == {
        "Thing": ["Value"],
        "Gateway": ["`gw-1a2b3` janis@idir's Gateway"],
        "Template": ["`client-credentials-shared-idp`"],
        "Service": ["`my-svc`"],
        "Upstream": ["`http://127.0.0.1:8462`"],
        "Config file": ["`gw-config.yaml`"],
        "Published": ["GatewayService my-svc-dev, Product my-svc API"],
        "Consumer (Client ID)": ["`8C1D2E3F-0A1B2C3D4E5` (over the portal's API)"],
        "Consumer revoked": ["no"],
    }
    assert found["URLs"].items == [
        "API: `http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid`",
        "Gateway host: `my-svc-dev-api-gov-bc-ca.localhost:8461`",
        "Token endpoint: `http://127.0.0.1:8460/auth/realms/apigw/protocol/openid-connect/token`",
        "Portal: `http://127.0.0.1:8460`",
    ]


def test_report_marks_everything_never_done_with_a_dash() -> None:
    found = sections(build_report(Session(target_kind="custom")))
    assert found[TITLE].paragraphs == ["Target: **custom host** (`https://(not set)`)"]
    built = table(found["What was built"])
    assert built["Gateway"] == ["`—`"]
    for thing in ("Service", "Upstream", "Config file", "Consumer (Client ID)"):
        assert built[thing] == ["`—`"], thing
    assert built["Published"] == ["—"] and built["Consumer revoked"] == ["no"]
    assert found["URLs"].items == [
        "API: `—`",
        "Gateway host: `—`",
        "Token endpoint: `—`",
        "Portal: `—`",
    ]
    times = table(found["Time per step"])
    assert all(times[info.title] == ["", "—"] for info in STEPS)
    assert times["**Total**"] == [f"0/{len(STEPS)}", "0 s"]


@pytest.mark.parametrize(
    ("kind", "host", "label"),
    [
        ("sandbox", "127.0.0.1:8460", "sandbox"),
        ("test", "api-gov-bc-ca.test.api.gov.bc.ca", "APS test"),
        ("prod", "api.gov.bc.ca", "APS production"),
        ("custom", "portal.example:8443", "portal.example:8443"),
    ],
)
def test_report_names_the_target_the_learner_chose(kind: str, host: str, label: str) -> None:
    s = Session(target_kind=kind, host=host, scheme="https")
    target = sections(build_report(s))[TITLE].paragraphs
    assert target == [f"Target: **{label}** (`https://{host}`)"]


def test_report_without_a_username_names_no_user() -> None:
    s = finished_session()
    s.username = ""
    target = sections(build_report(s))[TITLE].paragraphs
    assert target == ["Target: **sandbox** (`http://127.0.0.1:8460`)"]


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("rest", "`8C1D2E3F-0A1B2C3D4E5` (over the portal's API)"),
        ("handoff", "`8C1D2E3F-0A1B2C3D4E5` (generated in the portal)"),
        ("pasted-by-hand", "`8C1D2E3F-0A1B2C3D4E5` (pasted-by-hand)"),
        ("", "`8C1D2E3F-0A1B2C3D4E5`"),
    ],
)
def test_report_says_how_the_consumer_was_issued(source: str, shown: str) -> None:
    s = finished_session()
    s.credentials_source = source
    built = table(sections(build_report(s))["What was built"])
    assert built["Consumer (Client ID)"] == [shown]


def test_report_says_when_the_consumer_was_revoked() -> None:
    s = finished_session()
    s.consumer_revoked = True
    assert table(sections(build_report(s))["What was built"])["Consumer revoked"] == ["yes"]


def test_report_times_each_step_in_seconds_then_minutes() -> None:
    s = Session()
    for step_id, seconds in (("target", 59.4), ("login", 60.0), ("gateway", 125.0)):
        s.add_time(step_id, seconds)
    s.mark_done("login")
    times = table(sections(build_report(s))["Time per step"])
    assert times["Step"] == ["Done", "Time"]
    assert times["Target"] == ["", "59 s"]
    assert times["Login"] == ["✓", "1 min 00 s"]
    assert times["Gateway"] == ["", "2 min 05 s"]
    assert times["Template"] == ["", "—"]
    assert times["**Total**"] == [f"1/{len(STEPS)}", "4 min 04 s"]
    assert [r[0] for r in sections(build_report(s))["Time per step"].rows[1:-1]] == [
        info.title for info in STEPS
    ]


def test_report_shows_the_quiz_answers_only_when_there_are_some() -> None:
    question = quiz.question_after("status")
    assert question is not None
    s = finished_session()
    s.record_answer(quiz.record(question, question.correct))
    found = sections(build_report(s))
    assert list(found) == [*SECTIONS[:4], "Check your understanding", *SECTIONS[4:]]
    assert found["Check your understanding"].kinds == ["list"]
    assert found["Check your understanding"].items == [
        line.removeprefix("- ") for line in quiz.report_lines(s.answers)
    ]
    assert "Check your understanding" not in sections(build_report(finished_session()))


def test_report_tells_how_to_install_gwa_and_where_to_go_next() -> None:
    found = sections(build_report(finished_session()))
    alone = sections(
        f"# {TITLE}\n\n## Install the gwa CLI\n\n"
        + install_gwa.as_markdown(install_gwa.install_steps())
    )
    assert found["Install the gwa CLI"] == alone["Install the gwa CLI"]
    assert found["Next steps and help"].fences == ["\n".join(next_steps.summary_lines()) + "\n"]


def test_report_ends_by_saying_no_secret_is_in_it_and_how_to_clear_them() -> None:
    (promise,) = sections(build_report(finished_session()))["Secrets"].paragraphs
    assert promise == (
        "The client secret and all tokens were kept out of this report and out of the script. "
        f"Run `bash {SCRIPT_NAME}` to see how to replay the tutorial with the real `gwa` CLI; "
        "it reads the secret from `$CSC`. When you are done: `unset CID CSC URL TOKEN`."
    )
