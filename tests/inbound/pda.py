"""Whole expected screens for the inbound flows, written compactly."""

from __future__ import annotations

from typing import Any

from tests.flowterm import screen as move_screen

BACK = ("back", "Back", "F1")
CONFIRM = ("confirm", "Confirm quantity", "F2")
CLOSE = ("close", "Close receipt", "F5")
PRINT = ("print", "Print new LPN", "F5")
SKIP = ("skip", "Receive loose", "F4")
NO_NOTE = ("no_note", "No note", "F5")
TITLES = {"receive": "Receive goods", "qc": "Incoming QC", "putaway": "Putaway",
          "purchase_return": "Return to supplier"}


def screen(flow: str, state: str, prompt: str, *, progress: str | None = None,
           **kw: Any) -> dict[str, Any]:
    expected = move_screen(state, prompt, title=TITLES[flow], **kw)
    expected.update(flow=flow, progress=progress)
    return expected
