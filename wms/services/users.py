"""Managing users: create, change role/skills/warehouses/badge, reset PIN or password, deactivate.

Every change to what a user may do (role, skills, warehouses, badge, PIN,
password, active) writes one audit entry naming the actor and the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from wms.model import SKILLS, Role, User, Warehouse
from wms.services.access import audit, badge_digest, create_user, hash_secret

LOCALES = ("zh_CN", "en")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserForm:
    """What the console's user form sends; ``None`` leaves a secret unchanged."""

    display_name: str
    role: str
    skills: tuple[str, ...] = ()
    warehouse_ids: tuple[int, ...] = ()
    locale: str = "zh_CN"
    password: str | None = None
    pin: str | None = None
    badge: str | None = None
    username: str = ""
    ctx: dict[str, object] = field(default_factory=dict)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("unknown user")
    return user


def _warehouses(session: Session, ids: Iterable[int]) -> list[Warehouse]:
    ids = sorted(set(ids))
    found = list(session.scalars(select(Warehouse).where(Warehouse.id.in_(ids)))) if ids else []
    if len(found) != len(ids):
        raise ValidationFailed([FieldError("warehouses", "unknown warehouse")])
    return found


def _common_errors(form: UserForm) -> list[FieldError]:
    errors = []
    if not form.display_name.strip() or len(form.display_name) > 200:
        errors.append(FieldError("display_name", "a name is required (at most 200 characters)"))
    if form.role not in Role.__members__:
        errors.append(FieldError("role", "unknown role"))
    if form.locale not in LOCALES:
        errors.append(FieldError("locale", "unsupported language"))
    if form.password is not None and len(form.password) < MIN_PASSWORD:
        errors.append(FieldError("password", "a password has at least 8 characters"))
    if form.pin is not None and not (form.pin.isdigit() and 4 <= len(form.pin) <= 8):
        errors.append(FieldError("pin", "a PIN is 4 to 8 digits"))
    if set(form.skills) - set(SKILLS):
        errors.append(FieldError("skills", "unknown skill"))
    return errors


def add_user(session: Session, form: UserForm, *, actor: User) -> User:
    """A new user; supervisors and admins need a password to sign in to the console."""
    errors = _common_errors(form)
    if form.role in ("supervisor", "admin") and not form.password:
        errors.append(FieldError("password", "supervisors and admins need a password"))
    if errors:
        raise ValidationFailed(errors)
    user = create_user(
        session,
        username=form.username.strip(),
        display_name=form.display_name.strip(),
        role=Role(form.role),
        password=form.password,
        pin=form.pin,
        badge=form.badge,
        skills=form.skills,
        warehouses=_warehouses(session, form.warehouse_ids),
        locale=form.locale,
    )
    audit(session, action="user.created", actor=actor, target=user.username, role=user.role.value,
          skills=user.skills, warehouses=[w.code for w in user.warehouses], **form.ctx)
    return user


def update_user(session: Session, *, user_id: int, form: UserForm, actor: User) -> User:
    """Change name, language, role, skills and warehouses; audit each permission change."""
    errors = _common_errors(form)
    if errors:
        raise ValidationFailed(errors)
    user = get_user(session, user_id)
    role = Role(form.role)
    if user.role is Role.admin and role is not Role.admin:
        _keep_an_admin(session, user, actor)
    user.display_name = form.display_name.strip()
    user.locale = form.locale
    if role is not user.role:
        audit(session, action="user.role_changed", actor=actor, target=user.username,
              before=user.role.value, after=role.value, **form.ctx)
        user.role = role
    _change_skills(session, user, sorted(set(form.skills)), actor, form.ctx)
    _change_warehouses(session, user, _warehouses(session, form.warehouse_ids), actor, form.ctx)
    session.flush()
    return user


def _change_skills(
    session: Session, user: User, skills: list[str], actor: User, ctx: dict[str, object]
) -> None:
    if skills == sorted(user.skills or []):
        return
    before = set(user.skills or [])
    audit(session, action="user.skills_changed", actor=actor, target=user.username,
          added=sorted(set(skills) - before), removed=sorted(before - set(skills)), **ctx)
    user.skills = skills


def _change_warehouses(
    session: Session, user: User, warehouses: list[Warehouse], actor: User, ctx: dict[str, object]
) -> None:
    before = {w.code for w in user.warehouses}
    after = {w.code for w in warehouses}
    if before == after:
        return
    audit(session, action="user.warehouses_changed", actor=actor, target=user.username,
          added=sorted(after - before), removed=sorted(before - after), **ctx)
    user.warehouses = warehouses


def _keep_an_admin(session: Session, user: User, actor: User) -> None:
    """Refuse to take away the last active admin, or an admin's own rights."""
    if user.id == actor.id:
        raise PermissionDenied("you cannot take away your own admin rights")
    admins = session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.admin, User.active)
    )
    if (admins or 0) <= 1:
        raise Conflict("the last active admin cannot lose the admin role")


def set_badge(
    session: Session, *, user_id: int, badge: str | None, actor: User, **ctx: object
) -> User:
    """Give the user a new badge (the old one stops working) or take it away (``None``)."""
    user = get_user(session, user_id)
    if badge is not None:
        badge = badge.strip()
        if not 4 <= len(badge) <= 64:
            raise ValidationFailed([FieldError("badge", "a badge code has 4 to 64 characters")])
        owner = session.scalar(select(User.id).where(User.badge_hash == badge_digest(badge)))
        if owner is not None and owner != user.id:
            raise ValidationFailed(
                [FieldError("badge", "this badge belongs to another user", "duplicate")]
            )
    user.badge_hash = badge_digest(badge) if badge else None
    action = "user.badge_set" if badge else "user.badge_cleared"
    audit(session, action=action, actor=actor, target=user.username, **ctx)
    return user


def reset_pin(session: Session, *, user_id: int, pin: str, actor: User, **ctx: object) -> User:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValidationFailed([FieldError("pin", "a PIN is 4 to 8 digits")])
    user = get_user(session, user_id)
    user.pin_hash = hash_secret(pin)
    user.failed_logins = 0
    user.locked_until = None
    audit(session, action="user.pin_reset", actor=actor, target=user.username, **ctx)
    return user


def reset_password(
    session: Session, *, user_id: int, password: str, actor: User, **ctx: object
) -> User:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            [FieldError("password", "a password has at least 8 characters")]
        )
    user = get_user(session, user_id)
    user.password_hash = hash_secret(password)
    user.failed_logins = 0
    user.locked_until = None
    audit(session, action="user.password_reset", actor=actor, target=user.username, **ctx)
    return user


def set_active(
    session: Session, *, user_id: int, active: bool, actor: User, **ctx: object
) -> User:
    """Deactivate (signs the user out everywhere at the next request) or reactivate."""
    user = get_user(session, user_id)
    if not active and user.id == actor.id:
        raise PermissionDenied("you cannot deactivate yourself")
    if not active and user.role is Role.admin:
        _keep_an_admin(session, user, actor)
    if user.active != active:
        user.active = active
        action = "user.reactivated" if active else "user.deactivated"
        audit(session, action=action, actor=actor, target=user.username, **ctx)
    return user


def set_locale(session: Session, *, user_id: int, locale: str) -> None:
    """The user's own language choice; not a permission, so not audited."""
    if locale not in LOCALES:
        raise ValidationFailed([FieldError("locale", "unsupported language")])
    get_user(session, user_id).locale = locale
