"""Settings: config/*.toml overridden by WMS_* environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TaskSettings:
    lease_seconds: int = 900
    disconnect_grace_seconds: int = 120
    assignment: str = "pull"


@dataclass(frozen=True)
class SocketIOSettings:
    async_mode: str = "threading"
    message_queue: str = ""
    ping_interval: int = 10
    ping_timeout: int = 20


@dataclass(frozen=True)
class DeviceSettings:
    spool_dir: str = "var/spool"
    config_file: str = "config/devices.toml"
    # Start the print spooler / device poller threads with the app.
    start_workers: bool = True
    #: Seconds between scale health readings (and checks for devices edited elsewhere).
    health_interval: float = 5.0


@dataclass(frozen=True)
class ApiSettings:
    idempotency_ttl_hours: int = 48
    #: An in-flight key older than this is taken to be abandoned (its process died).
    idempotency_lease_seconds: int = 300
    max_bulk_items: int = 1000
    #: A revoked API key keeps working at most this long (callers are cached).
    key_cache_seconds: float = 5.0
    #: Start the webhook delivery thread with the app.
    start_webhook_worker: bool = True
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 15
    #: First retry after this many seconds, doubling up to the cap.
    webhook_backoff_seconds: float = 2.0
    webhook_backoff_cap_seconds: float = 3600.0
    webhook_poll_seconds: float = 5.0


@dataclass(frozen=True)
class TerminalSettings:
    """How the PDA page reads a keyboard-wedge scanner and stays in touch (see docs/terminal.md)."""

    # A scan without Enter/Tab suffix is submitted after this much silence.
    scan_silence_ms: int = 120
    # Keystrokes further apart than this on average are a human typing, not a scanner.
    wedge_max_gap_ms: int = 35
    # Poll GET /t/api/events this often while the Socket.IO connection is down.
    poll_seconds: int = 15
    # Resend a queued step this often while offline.
    retry_seconds: int = 3


@dataclass(frozen=True)
class SchedulerSettings:
    """Unattended inventory checks (see docs/inventory.md, "The scheduler")."""

    # Start the scheduler loop with the server (a thread, or a greenlet under gevent).
    enabled: bool = True
    # How often the loop looks for due jobs; a job runs at most once per its own interval.
    tick_seconds: int = 60
    count_plans_minutes: int = 1440
    replenishment_minutes: int = 15
    reorder_minutes: int = 60


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/wms.sqlite3"
    secret_key: str = "change-me-in-production"
    default_locale: str = "zh_CN"
    log_level: str = "INFO"
    session_cookie_secure: bool = False
    terminal_idle_lock_minutes: int = 15
    testing: bool = False
    tasks: TaskSettings = field(default_factory=TaskSettings)
    socketio: SocketIOSettings = field(default_factory=SocketIOSettings)
    devices: DeviceSettings = field(default_factory=DeviceSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    terminal: TerminalSettings = field(default_factory=TerminalSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)

    def with_overrides(self, **changes: Any) -> Settings:
        return _merge(self, changes)


def _coerce(value: str, current: Any) -> Any:
    if isinstance(current, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(value)
    if isinstance(current, float):
        return float(value)
    return value


def _merge(obj: Any, changes: dict[str, Any]) -> Any:
    known = {f.name for f in fields(obj)}
    unknown = set(changes) - known
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    updates: dict[str, Any] = {}
    for key, value in changes.items():
        current = getattr(obj, key)
        if is_dataclass(current) and isinstance(value, dict):
            updates[key] = _merge(current, value)
        else:
            updates[key] = value
    return replace(obj, **updates)


def _env_overrides(settings: Settings, environ: dict[str, str]) -> dict[str, Any]:
    """WMS_DATABASE_URL -> database_url; WMS_TASKS__LEASE_SECONDS -> tasks.lease_seconds."""
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith("WMS_") or key.startswith("WMS_TEST_"):
            continue
        path = key[4:].lower().split("__")
        target: Any = settings
        for part in path[:-1]:
            target = getattr(target, part, None)
        if target is None or not is_dataclass(target) or not hasattr(target, path[-1]):
            continue
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _coerce(raw, getattr(target, path[-1]))
    return out


def load_settings(
    config_dir: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read config/default.toml, then config/local.toml, then WMS_* variables."""
    config_dir = config_dir or Path(os.environ.get("WMS_CONFIG_DIR", PROJECT_ROOT / "config"))
    environ = dict(os.environ if environ is None else environ)
    settings = Settings()
    for name in ("default.toml", "local.toml"):
        path = config_dir / name
        if path.exists():
            with path.open("rb") as fh:
                settings = _merge(settings, tomllib.load(fh))
    return _merge(settings, _env_overrides(settings, environ))
