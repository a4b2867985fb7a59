"""An Input whose editing keys act in the order they were typed.

Textual hands a key to the focused widget as it arrives; `Input` inserts a typed character
at once, but runs its editing keys (backspace, ctrl+u, ctrl+w, the arrows, Enter...) as
bindings, only after the key has bubbled back up to the app through every parent. Typed fast
(tmux send-keys, a paste of keystrokes, a quick typist), the characters after an editing key
are inserted before it acts: "Nujaba", ctrl+u, "truce" left an empty box, because ctrl+u ran
after "truce" was typed and deleted everything left of the cursor. Here the editing keys act
as they reach the box, in the same queue as the characters.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input


def _editing_actions() -> dict[str, str]:
    """Input's own bindings, key by key (`"ctrl+u,super+backspace"` gives two)."""
    actions: dict[str, str] = {}
    for binding in Input.BINDINGS:
        if isinstance(binding, Binding):
            keys, action = binding.key, binding.action
        else:
            keys, action = binding[0], binding[1]
        for key in keys.split(","):
            actions.setdefault(key.strip(), action)
    return actions


EDITING_ACTIONS = _editing_actions()


class InOrderInput(Input):
    """An `Input` whose editing keys act in typing order (see the module docstring)."""

    async def on_key(self, event: events.Key) -> None:
        action = EDITING_ACTIONS.get(event.key)
        if action is None:
            return  # a character (Input inserts it) or a key for the screen's bindings
        event.stop()
        event.prevent_default()
        await self.run_action(action)
