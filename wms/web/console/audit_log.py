"""The audit log: who signed in, who changed permissions, keys, blocks; filtered and paged."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, flash, render_template, request, session
from flask_babel import gettext

from wms.queries.directory import search_audit
from wms.web.console.common import console_page
from wms.web.context import read_session


def _day_start(raw: str, *, next_day: bool = False) -> datetime | None:
    """Midnight of a yyyy-mm-dd day in the reader's time zone, as a UTC-aware datetime."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        flash(gettext("A date is written like 2025-03-31."), "error")
        return None
    try:
        zone = ZoneInfo(session.get("timezone") or "UTC")
    except ZoneInfoNotFoundError:
        zone = ZoneInfo("UTC")
    if next_day:
        day += timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=zone)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@console_page
def audit_log() -> Any:
    args = request.args
    success = {"1": True, "0": False}.get(args.get("success", ""))
    page = search_audit(
        read_session(),
        action=args.get("action", ""),
        actor=args.get("actor", ""),
        target=args.get("target", ""),
        success=success,
        since=_day_start(args.get("since", "")),
        until=_day_start(args.get("until", ""), next_day=True),
        after=_int(args.get("after")),
        before=_int(args.get("before")),
    )
    keep = {k: v for k, v in args.items()
            if k in ("action", "actor", "target", "success", "since", "until") and v}
    return render_template("console/audit.html", page=page, args=args, keep=keep)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/audit", "audit_log", audit_log)
