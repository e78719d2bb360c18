"""Signing a test client in as a terminal or a console user, the way the login pages do."""

from __future__ import annotations

from typing import Any

from wms.model import User


def sign_in(client: Any, user: User, *, kind: str = "terminal", device_id: str | None = "PDA-1",
            warehouse_id: int | None = None) -> str:
    """Put the user's keys in the client's session cookie; returns the CSRF token."""
    token = f"csrf-{user.id}-{kind}"
    with client.session_transaction() as sess:
        sess.update(user_id=user.id, kind=kind, device_id=device_id,
                    warehouse_id=warehouse_id, locale=user.locale, csrf=token)
    return token


def session_cookie(client: Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "sign in first"
    return f"session={cookie.value}"
