"""Users, credentials and API keys: hashing, verification and the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from psycopg.types.json import Json
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wms.errors import AuthenticationFailed, Conflict, FieldError, ValidationFailed
from wms.model import SKILLS, ApiClient, AuditLog, Role, User, Warehouse, utcnow
from wms.scanning.badges import badge_digest as badge_digest  # re-exported
from wms.services import pgraw

#: Scopes an API client may hold.
SCOPES = (
    "master:read",
    "master:write",
    "orders:read",
    "orders:write",
    "stock:read",
    "stock:write",
    "events:manage",
)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)

_hasher = PasswordHasher()


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored: str | None, secret: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


#: One fixed-shape statement: an audit line is written on every writing API call.
_AUDIT_INSERT = insert(AuditLog.__table__)
#: The audit INSERT as plain SQL for PostgreSQL (see ``wms.services.pgraw``).
PG_AUDIT_INSERT = (
    "INSERT INTO audit_log (at, actor_type, actor_id, actor_name, action, target,"
    " remote_addr, device_id, request_id, success, details) VALUES (%(at)s, %(actor_type)s,"
    " %(actor_id)s, %(actor_name)s, %(action)s, %(target)s, %(remote_addr)s, %(device_id)s,"
    " %(request_id)s, %(success)s, %(details)s)"
)


def audit(
    session: Session,
    *,
    action: str,
    actor: User | ApiClient | None = None,
    target: str | None = None,
    success: bool = True,
    remote_addr: str | None = None,
    device_id: str | None = None,
    request_id: str | None = None,
    **details: object,
) -> None:
    """Append an audit line in the session's transaction (a Core INSERT, no entity)."""
    insert_audit_row(
        session,
        audit_row(
            action=action,
            actor=actor,
            target=target,
            success=success,
            remote_addr=remote_addr,
            device_id=device_id,
            request_id=request_id,
            **details,
        ),
    )


def audit_row(
    *,
    action: str,
    actor: User | ApiClient | None = None,
    target: str | None = None,
    success: bool = True,
    remote_addr: str | None = None,
    device_id: str | None = None,
    request_id: str | None = None,
    **details: object,
) -> dict[str, Any]:
    """The columns of one audit line (see ``audit``), to write with ``insert_audit_row`` or
    together with another statement (``idempotency.complete_key``)."""
    actor_type = "system"
    if isinstance(actor, User):
        actor_type = "user"
    elif isinstance(actor, ApiClient):
        actor_type = "api_client"
    return {
        "at": utcnow(),
        "actor_type": actor_type,
        "actor_id": actor.id if actor else None,
        "actor_name": (actor.username if isinstance(actor, User) else actor.name)
        if actor
        else None,
        "action": action,
        "target": target,
        "success": success,
        "remote_addr": remote_addr,
        "device_id": device_id,
        "request_id": request_id,
        "details": dict(details),
    }


def insert_audit_row(session: Session, row: dict[str, Any]) -> None:
    raw = pgraw.cursor(session)
    if raw is not None:
        pgraw.execute(raw, PG_AUDIT_INSERT, pg_audit_params(row))
    else:
        session.connection().execute(_AUDIT_INSERT, row)


def pg_audit_params(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` bound for ``PG_AUDIT_INSERT`` (the details as JSON)."""
    return {**row, "details": Json(row["details"])}


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str | None = None,
    role: Role = Role.operator,
    password: str | None = None,
    pin: str | None = None,
    badge: str | None = None,
    skills: Iterable[str] = (),
    warehouses: Iterable[Warehouse] = (),
    locale: str = "zh_CN",
) -> User:
    errors = _user_field_errors(session, username=username, pin=pin, badge=badge, skills=skills)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        display_name=display_name or username,
        role=Role(role),
        skills=sorted(set(skills)),
        locale=locale,
        password_hash=hash_secret(password) if password else None,
        pin_hash=hash_secret(pin) if pin else None,
        badge_hash=badge_digest(badge) if badge else None,
    )
    user.warehouses = list(warehouses)
    session.add(user)
    session.flush()
    return user


def _user_field_errors(
    session: Session, *, username: str, pin: str | None, badge: str | None, skills: Iterable[str]
) -> list[FieldError]:
    errors = []
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        errors.append(FieldError("username", "letters, digits, '.', '_' or '-', at most 64"))
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        errors.append(FieldError("username", f"user {username} already exists", "duplicate"))
    if pin is not None and not (pin.isdigit() and 4 <= len(pin) <= 8):
        errors.append(FieldError("pin", "a PIN is 4 to 8 digits"))
    if (
        badge is not None
        and session.scalar(select(User.id).where(User.badge_hash == badge_digest(badge)))
        is not None
    ):
        errors.append(FieldError("badge", "this badge belongs to another user", "duplicate"))
    unknown = set(skills) - set(SKILLS)
    if unknown:
        errors.append(FieldError("skills", f"unknown skill(s): {', '.join(sorted(unknown))}"))
    return errors


def _check_lockout(user: User) -> None:
    if user.locked_until and user.locked_until > utcnow():
        raise AuthenticationFailed("too many failed attempts; try again in a few minutes")


def _login_result(session: Session, user: User | None, ok: bool, how: str, **ctx: object) -> User:
    if user is not None and not ok:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = utcnow() + LOCKOUT
            user.failed_logins = 0
    audit(session, action=f"login.{how}", actor=user, success=ok, **ctx)  # type: ignore[arg-type]
    if not ok or user is None:
        raise AuthenticationFailed("unknown user or wrong credentials")
    user.failed_logins = 0
    return user


def login_with_password(session: Session, *, username: str, password: str, **ctx: object) -> User:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is not None:
        _check_lockout(user)
    ok = user is not None and verify_secret(user.password_hash, password)
    return _login_result(session, user, ok, "password", target=username, **ctx)


def login_with_pin(session: Session, *, username: str, pin: str, **ctx: object) -> User:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is not None:
        _check_lockout(user)
    ok = user is not None and verify_secret(user.pin_hash, pin)
    return _login_result(session, user, ok, "pin", target=username, **ctx)


def login_with_badge(session: Session, *, badge: str, **ctx: object) -> User:
    user = session.scalar(
        select(User).where(User.badge_hash == badge_digest(badge), User.active.is_(True))
    )
    return _login_result(session, user, user is not None, "badge", **ctx)


def create_api_key(
    session: Session,
    *,
    name: str,
    scopes: Iterable[str],
    warehouses: Iterable[Warehouse] = (),
    actor: User | None = None,
) -> tuple[ApiClient, str]:
    """A new API client; the clear key is returned once and stored only as a hash."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValidationFailed(
            [FieldError("scopes", f"unknown scope(s): {', '.join(sorted(unknown))}")]
        )
    if session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
        raise Conflict(f"API client {name} already exists")
    key = "wms_" + secrets.token_urlsafe(32)
    client = ApiClient(name=name, key_prefix=key[:10], key_hash=key_digest(key), scopes=scopes)
    client.warehouses = list(warehouses)
    session.add(client)
    session.flush()
    audit(session, action="api_client.created", actor=actor, target=name, scopes=scopes)
    return client, key


def authenticate_api_key(session: Session, key: str) -> ApiClient:
    # The key is found by its hash, so a match already is the comparison.
    client = session.scalar(select(ApiClient).where(ApiClient.key_hash == key_digest(key)))
    if client is None or not client.active:
        raise AuthenticationFailed("missing, unknown or revoked API key")
    return client


def revoke_api_key(session: Session, *, client_id: int, actor: User | None = None) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise AuthenticationFailed("unknown API client")
    client.active = False
    client.revoked_at = utcnow()
    audit(session, action="api_client.revoked", actor=actor, target=client.name)
    return client


def rotate_api_key(
    session: Session, *, name: str, actor: User | None = None
) -> tuple[ApiClient, str]:
    """Issue a new key for an existing client; the old key stops working at once."""
    client = session.scalar(select(ApiClient).where(ApiClient.name == name))
    if client is None:
        raise AuthenticationFailed(f"unknown API client {name}")
    key = "wms_" + secrets.token_urlsafe(32)
    client.key_prefix = key[:10]
    client.key_hash = key_digest(key)
    client.active = True
    client.revoked_at = None
    session.flush()
    audit(session, action="api_client.rotated", actor=actor, target=name)
    return client, key
