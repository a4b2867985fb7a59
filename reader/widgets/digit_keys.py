"""The keys `1`-`9` bound to one action with the digit as its argument, shown once as "1-9".

The settle screen (one coder's version per digit) and the conflicts screen (one merge version per
digit) bind them the same way; one place keeps their footer entry and their ids alike
(`reader.<screen>.<verb>1` ... `9`), which user keymaps refer to.
"""

from __future__ import annotations

from textual.binding import Binding


def digit_bindings(action: str, description: str, id_prefix: str, count: int = 9) -> list[Binding]:
    """`1`..`count` run `action(k)`; only `1` is shown, as "1-9" with `description`."""
    return [
        Binding(
            str(k),
            f"{action}({k})",
            description if k == 1 else f"{description} {k}",
            show=k == 1,
            key_display="1-9" if k == 1 else None,
            id=f"{id_prefix}{k}",
        )
        for k in range(1, count + 1)
    ]
