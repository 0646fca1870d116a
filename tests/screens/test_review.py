"""Review step alone: documents listed, fields explained, problems with lines, saving."""

from __future__ import annotations

from pathlib import Path

from screens.review import ReviewStep
from tests.screens.harness import StepHarness
from tests.waiting import until
from tui.services.session import Session
from tui.services.target import Target
from tui.services.templates import generate_config

GATEWAY = "gw-abc12"
TARGET = Target.sandbox("127.0.0.1:8460")


def workspace_with_file(tmp_path: Path) -> tuple[Session, Path]:
    text = generate_config(
        "client-credentials-shared-idp", "my-svc", "https://httpbin.org", GATEWAY
    )
    (tmp_path / "gw.yaml").write_text(text)
    return Session(gateway_id=GATEWAY, out_file="gw.yaml", service="my-svc"), tmp_path / "gw.yaml"


def harness(session, tmp_path):
    return StepHarness(ReviewStep, session, None, target=TARGET, workspace=tmp_path)


def text_of(app, selector):
    return str(app.screen.query_one(selector).content)


async def loaded(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def checked(pilot):
    """Wait until the problems shown describe the editor's text (the debounced re-check ran)."""
    step, editor = pilot.app.step, pilot.app.screen.query_one("#yaml")
    await until(pilot, lambda: step._validated_text == editor.text, "the edit to be checked")
    await loaded(pilot)


async def test_lists_four_documents_and_is_ready(tmp_path):
    session, _ = workspace_with_file(tmp_path)
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        docs = text_of(app, "#documents")
        assert "4 documents:" in docs
        for kind in ("GatewayService", "CredentialIssuer", "DraftDataset", "Product"):
            assert kind in docs
        assert "No problems found" in text_of(app, "#problems")
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["review"]


async def test_the_field_under_the_cursor_is_explained(tmp_path):
    session, path = workspace_with_file(tmp_path)
    row = next(i for i, line in enumerate(path.read_text().splitlines()) if "allowed_aud" in line)
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        editor = app.screen.query_one("#yaml")
        column = editor.document.get_line(row).index("allowed_aud")
        editor.cursor_location = (row, column + 2)
        await pilot.pause()
        help_text = text_of(app, "#field-help")
        assert "allowed_aud" in help_text
        assert "No explanation" not in help_text


async def test_an_edit_breaking_the_tags_is_reported_with_its_line_and_blocks_next(tmp_path):
    session, path = workspace_with_file(tmp_path)
    original = path.read_text()
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        editor = app.screen.query_one("#yaml")
        editor.load_text(original.replace(f"ns.{GATEWAY}", "ns.gw-other", 1))
        await checked(pilot)
        problems = text_of(app, "#problems")
        assert "Line " in problems and f"ns.{GATEWAY}" in problems
        assert app.step.check_action("next", ()) is None
        await pilot.press("ctrl+s")
        await loaded(pilot)
        assert "ns.gw-other" in path.read_text()  # saved even so, and still blocked
        assert app.step.check_action("next", ()) is None
        await pilot.press("f2")
        await pilot.pause()
        first = app.step.problems[0]
        assert editor.cursor_location == (first.line - 1, first.column - 1)


async def test_a_yaml_syntax_error_has_line_and_column(tmp_path):
    session, path = workspace_with_file(tmp_path)
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        editor = app.screen.query_one("#yaml")
        editor.load_text("kind: Product\nname: [unclosed\n")
        await checked(pilot)
        assert "Line 2" in text_of(app, "#problems") or "Line 3" in text_of(app, "#problems")


async def edit_first_line(pilot, text: str) -> None:
    editor = pilot.app.screen.query_one("#yaml")
    editor.focus()
    editor.cursor_location = (0, 0)
    await pilot.press(*text, "enter")
    await checked(pilot)


def question(app) -> str:
    return str(app.screen.query_one("#choice-question").content)


async def test_next_with_unsaved_edits_that_check_out_saves_them_then_goes_on(tmp_path):
    session, path = workspace_with_file(tmp_path)
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await loaded(pilot)
        await edit_first_line(pilot, "# reviewed")
        assert app.step.unsaved_changes()  # not saved yet ...
        assert app.step.check_action("next", ()) is True  # ... but Next is offered
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.completed == ["review"], "Next to go on")
        assert any("Saved gw.yaml" in n.message for n in app._notifications)
    assert path.read_text().startswith("# reviewed\n")


async def test_next_with_broken_unsaved_edits_asks_and_discard_goes_on_with_the_saved_file(
    tmp_path,
):
    session, path = workspace_with_file(tmp_path)
    saved = path.read_text()
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await edit_first_line(pilot, "kind: [")  # a YAML error
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.screen.query("#choice-question"), "the question")
        assert "unsaved edits to gw.yaml have 1 problem," in question(app)
        await pilot.press("escape")  # Stay: the edit is still there, nothing went on
        await pilot.pause()
        assert app.screen.query_one("#yaml").text.startswith("kind: [") and not app.completed
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.screen.query("#choice-discard"), "the question")
        await pilot.click("#choice-discard")
        await until(pilot, lambda: app.completed == ["review"], "Next with the saved file")
        assert app.screen.query_one("#yaml").text == saved
    assert path.read_text() == saved


async def test_back_with_unsaved_edits_asks_and_save_keeps_them(tmp_path):
    session, path = workspace_with_file(tmp_path)
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await edit_first_line(pilot, "# mine")
        await pilot.press("ctrl+b")
        await until(pilot, lambda: app.screen.query("#choice-save"), "the question")
        assert "your edits to gw.yaml" in question(app)
        assert app.backs == 0  # not gone yet
        await pilot.click("#choice-save")
        await until(pilot, lambda: app.backs == 1, "Back after saving")
    assert path.read_text().startswith("# mine\n")


async def test_quit_with_unsaved_edits_asks_and_stay_keeps_the_wizard_running(tmp_path):
    session, path = workspace_with_file(tmp_path)
    saved = path.read_text()
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await edit_first_line(pilot, "# mine")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: app.screen.query("#choice-stay"), "the question")
        assert "Save and quit" in str(app.screen.query_one("#choice-save").label)
        await pilot.press("ctrl+q")  # a second ctrl+q does not quit past the question
        await pilot.click("#choice-stay")
        await pilot.pause()
        assert app.is_running and app.screen.query_one("#yaml").text.startswith("# mine")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: app.screen.query("#choice-discard"), "the question")
        await pilot.click("#choice-discard")
        await until(pilot, lambda: not app.is_running, "the wizard to quit")
    assert path.read_text() == saved  # discarded on request, never silently


async def test_missing_file_is_explained(tmp_path):
    app = harness(Session(out_file="nope.yaml", gateway_id=GATEWAY), tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert "Could not read" in text_of(app, "#error-text")
        assert "Template step" in text_of(app, "#error-text")


async def test_undoing_a_breaking_edit_clears_the_problem_and_allows_next(tmp_path):
    session, path = workspace_with_file(tmp_path)
    app = harness(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        editor = app.screen.query_one("#yaml")
        editor.focus()
        editor.cursor_location = (2, len(editor.document.get_line(2)))
        await pilot.press("x")  # tags: [ns.gw-abc12]x -> a YAML error on line 3
        await checked(pilot)
        assert "Line 3" in text_of(app, "#problems")
        assert app.step.check_action("next", ()) is None
        await pilot.press("backspace")  # back to the saved text
        await checked(pilot)
        assert "Line 3" not in text_of(app, "#problems")
        assert app.step.check_action("next", ()) is True


async def test_a_class_sandbox_accepts_gwa_host_with_port_but_live_aps_does_not(tmp_path, sandbox):
    from tui.services.bundle import build_services
    from tui.services.secrets import SecretStore

    text = generate_config(
        "client-credentials-shared-idp", "my-svc", sandbox.info.upstream_url, GATEWAY
    )  # host: 127.0.0.1:<port> with port: <port>, as gwa writes
    (tmp_path / "gw.yaml").write_text(text)
    class_sandbox = Target("custom", sandbox.info.portal_host, "http")
    services = build_services(class_sandbox, secrets=SecretStore())
    try:
        session = Session(gateway_id=GATEWAY, out_file="gw.yaml", service="my-svc")
        app = StepHarness(ReviewStep, session, services, target=class_sandbox, workspace=tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await loaded(pilot)
            assert "No problems found" in text_of(app, "#problems")
    finally:
        await services.aclose()
    live = Target("test", "api-gov-bc-ca.test.api.gov.bc.ca", "https")
    app = StepHarness(
        ReviewStep,
        Session(gateway_id=GATEWAY, out_file="gw.yaml"),
        None,
        target=live,
        workspace=tmp_path,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert "host must not have a port" in text_of(app, "#problems")
        assert app.step.check_action("next", ()) is None
