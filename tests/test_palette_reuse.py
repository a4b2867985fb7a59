"""The palette's document and annotation commands are made once and kept from one opening to
the next while the documents and the annotations shown are the same (making 130,000 of them
was 0.8 s of each opening), and made again as soon as either changes."""

from __future__ import annotations

from textual.widgets import OptionList

from reader import commands
from reader.app import create_app
from reader.services import Library

from waiting import settle

SHAFAQ = "002_aa247d70c2f24e11.txt"


async def listed(app, pilot, words: str) -> list[str]:
    """The commands the palette lists for `words`, best first."""
    await pilot.press("ctrl+p", *words)
    await settle(pilot)
    options = app.screen.query_one("CommandList", OptionList)
    prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return prompts


async def test_commands_kept_between_openings_and_made_again_after_a_change(seed_paths):
    library = Library(seed_paths)
    library.update_index()
    document = library.index.load(SHAFAQ)
    start = document.text.index("Shafaq News/")
    library.store.add(SHAFAQ, document.text, document.sha256, start, start + 11, ["outlet"])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert (await listed(app, pilot, "outlet"))[0].startswith("Annotation: outlet")
        kept = commands._MADE[app.main_screen].commands
        assert (await listed(app, pilot, "outlet"))[0].startswith("Annotation: outlet")
        assert commands._MADE[app.main_screen].commands is kept  # not made again

        main = app.main_screen
        end = document.text.index("threaten") + len("threaten")
        main.library.store.add(SHAFAQ, document.text, document.sha256, end - 8, end, ["freshly/added"])
        assert any(p.startswith("Annotation: freshly/added") for p in await listed(app, pilot, "freshly"))
        assert commands._MADE[app.main_screen].commands is not kept
