"""The footer, with a class per key so the stylesheet can drop the less used keys on narrow
terminals (`?` lists them all)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    """Each key of the footer gets the class `-key-<key>` (e.g. `-key-slash`, `-key-e`)."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            key = getattr(widget, "key", None)  # FooterKey is not public API: duck-type it
            if isinstance(key, str) and key.replace("_", "").isalnum():
                widget.add_class(f"-key-{key}")
            yield widget
