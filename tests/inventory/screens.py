"""Whole expected screens for inventory flows, written compactly."""

from __future__ import annotations

from typing import Any


def screen(flow: str, title: str, state: str, prompt: str, *, seq: int, fs: int,
           expect: str | None = None, fields: list[tuple[str, str]] | None = None,
           message: tuple[str, str, str] | None = None, progress: str | None = None,
           actions: list[tuple[str, str, str]] | None = None, done: bool = False,
           next: dict | None = None) -> dict[str, Any]:
    return {
        "flow": flow, "flow_session_id": fs, "seq": seq, "state": state, "title": title,
        "prompt": prompt, "expect": expect,
        "message": None if message is None else dict(zip(("code", "level", "text"), message,
                                                         strict=True)),
        "fields": [{"label": k, "value": v} for k, v in (fields or [])],
        "progress": progress,
        "actions": [{"action": a, "label": label, "key": key} for a, label, key in actions or []],
        "done": done, "next": next,
    }
