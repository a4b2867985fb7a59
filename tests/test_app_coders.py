"""Pilot tests of coders in the app (issue 17): the status bar says who you code as, the palette's
"Code as…" switches it for the session (new annotations carry the new creator) and can save it
in config.toml, where the command line's rule (reader/coders.py) finds it."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, OptionList, Static

from reader.app import create_app
from reader.coders import config_path, resolve_coder
from reader.dialogs.coder import CoderDialog

from app_helpers import status_text
from test_tagging import on_disk, open_shafaq
from waiting import pilot_wait_until, settle


async def palette_first(app, pilot, words: str, expected: str) -> None:
    """Type `words` in the palette and wait until its first command is `expected`: the palette
    gathers its hits in a worker it starts after a delay."""
    await pilot.press("ctrl+p", *words)

    def first_is_expected() -> bool:
        commands = app.screen.query("CommandList")
        return bool(
            commands
            and commands.first(OptionList).option_count
            and str(commands.first(OptionList).get_option_at_index(0).prompt).startswith(expected)
        )

    await pilot_wait_until(pilot, first_is_expected, f"the palette lists {expected!r} first for {words!r}")


async def open_code_as(app, pilot) -> CoderDialog:
    await palette_first(app, pilot, "code as", "Code as")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, CoderDialog)
    return app.screen


async def type_name(app, pilot, name: str) -> None:
    field = app.screen.query_one("#coder-name", Input)
    field.value = ""
    await pilot.press(*name)


async def test_status_bar_says_who_codes_and_the_switch_stamps_new_annotations(seed_paths, monkeypatch):
    monkeypatch.setenv("READER_CODER", "ann")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        assert "coding as ann" in status_text(app)
        await pilot.press("s", "t", *"who/first", "enter")
        await settle(pilot)
        await open_code_as(app, pilot)
        await type_name(app, pilot, "bob")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert "coding as bob" in status_text(app)
        view.move_cursor(len(view.text.rstrip()) - 2)
        await pilot.press("s", "t", *"who/second", "enter")
        await settle(pilot)
        creators = {a.tags[0]: a.creator for a in on_disk(app).annotations()}
        assert creators == {"who/first": "ann", "who/second": "bob"}
        assert not config_path().exists()  # a switch for this session only


async def test_the_switch_can_be_saved_in_config_toml(seed_paths):
    config_path().write_text('# mine\nother = 1\ncoder = "old"\n', encoding="utf-8")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert "coding as old" in status_text(app)
        dialog = await open_code_as(app, pilot)
        await type_name(app, pilot, 'cy "the" coder')
        dialog.query_one("#coder-save", Checkbox).value = True
        dialog.query_one("#coder-name", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "coding as cy \"the\" coder" in status_text(app)
    assert resolve_coder().name == 'cy "the" coder'
    text = config_path().read_text(encoding="utf-8")
    assert text.startswith("# mine\nother = 1\n")  # the rest of the file is kept


async def test_a_bad_name_is_refused_in_the_dialog_and_escape_keeps_the_coder(seed_paths, monkeypatch):
    monkeypatch.setenv("READER_CODER", "ann")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = await open_code_as(app, pilot)
        await type_name(app, pilot, "   ")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "must not be empty" in str(dialog.query_one("#coder-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert app.library.coder == "ann"
        assert "coding as ann" in status_text(app)


async def test_a_broken_config_is_never_overwritten(seed_paths, monkeypatch):
    monkeypatch.setenv("READER_CODER", "ann")
    config_path().write_text("coder = = broken\n", encoding="utf-8")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        dialog = await open_code_as(app, pilot)
        await type_name(app, pilot, "bob")
        dialog.query_one("#coder-save", Checkbox).value = True
        await pilot.press("enter")
        await settle(pilot)
        assert app.library.coder == "ann"  # not switched when the save failed
        assert any("not valid TOML" in n.message for n in app._notifications)
    assert config_path().read_text(encoding="utf-8") == "coder = = broken\n"
