"""Users, roles and skills, API clients with hashed keys, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.model.base import Base, IdMixin, TimestampMixin, utcnow
from wms.model.master import Warehouse, _enum


class Role(enum.StrEnum):
    operator = "operator"
    supervisor = "supervisor"
    admin = "admin"

    @property
    def rank(self) -> int:
        return {"operator": 0, "supervisor": 1, "admin": 2}[self.value]


SKILLS = ("receiving", "qc", "putaway", "picking", "packing", "counting", "forklift", "shipping")

user_warehouse = Table(
    "user_warehouse",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("warehouse_id", ForeignKey("warehouse.id", ondelete="CASCADE"), primary_key=True),
)

api_client_warehouse = Table(
    "api_client_warehouse",
    Base.metadata,
    Column("api_client_id", ForeignKey("api_client.id", ondelete="CASCADE"), primary_key=True),
    Column("warehouse_id", ForeignKey("warehouse.id", ondelete="CASCADE"), primary_key=True),
)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.operator)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    #: Hash of the badge barcode; badges are looked up by their hash.
    badge_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]

    warehouses: Mapped[list[Warehouse]] = relationship(secondary=user_warehouse)

    def has_role(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    def can_access(self, warehouse_id: int) -> bool:
        return self.role is Role.admin or any(w.id == warehouse_id for w in self.warehouses)


class ApiClient(IdMixin, TimestampMixin, Base):
    """An integrated system (ERP, MES, AGV) with a hashed bearer key and scopes."""

    __tablename__ = "api_client"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: First characters of the key, shown in the console to tell keys apart.
    key_prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    warehouses: Mapped[list[Warehouse]] = relationship(secondary=api_client_warehouse)

    def can_access(self, warehouse_id: int) -> bool:
        """An API client without listed warehouses may act on all of them."""
        return not self.warehouses or any(w.id == warehouse_id for w in self.warehouses)


class AuditLog(IdMixin, Base):
    """Who did what, when, from where: sign-ins, writing API calls, permission changes."""

    __tablename__ = "audit_log"

    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # user | api_client | system
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(default=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
