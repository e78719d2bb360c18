"""Start and stop the device side of the app: config sync, registry, spooler, health hooks.

Called by ``create_app`` (and the CLI), never at import time::

    runtime = start_devices(settings, session_factory, warehouse_code="WH1")
    runtime.board.on_status_change.append(push_printer_status)   # Socket.IO, in the app
    ...
    runtime.stop()

A console edit calls ``runtime.reload()`` after its commit: drivers are
rebuilt, new printers get a sender, removed or disabled ones lose theirs,
and the scale monitor reads new scales at once. Other processes see the
edit within one monitor round (they compare ``config_fingerprint``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wms.db import reader
from wms.devices.config import load_devices
from wms.devices.health import ScaleMonitor, StatusBoard
from wms.devices.registry import DeviceRegistry
from wms.devices.spooler import PrintSpooler
from wms.model import Warehouse
from wms.services import devices as device_service
from wms.services import printing
from wms.services.spool import SpoolStore
from wms.settings import PROJECT_ROOT, Settings


@dataclass
class DeviceRuntime:
    factory: sessionmaker[Session]
    registry: DeviceRegistry
    board: StatusBoard
    spooler: PrintSpooler | None = None
    monitor: ScaleMonitor | None = None
    #: Codes listed in config/devices.toml: the file owns them (see services.devices).
    file_printers: frozenset[str] = frozenset()
    file_scales: frozenset[str] = frozenset()
    _fingerprint: object = None
    #: Returns the signed-in user's id for "reprinted by whom"; the app replaces it.
    current_user_id: Callable[[], int | None] = field(default=lambda: None)
    _uninstall: Callable[[], None] | None = None

    def reload(self) -> None:
        """Rebuild drivers after devices were edited in the console."""
        with self.factory(bind=reader(self.factory.kw["bind"])) as session:
            self._fingerprint = device_service.config_fingerprint(session)
            self.registry.configure(
                device_service.printer_configs(session), device_service.scale_configs(session)
            )
        codes = self.registry.printer_codes()
        if self.spooler is not None:
            self.spooler.keep(codes)
            self.spooler.wake(codes)
        else:
            self.board.forget(set(self.board.snapshot()) - set(codes))
        if self.monitor is not None:
            self.monitor.wake()

    def reload_if_changed(self) -> None:
        """Reload when another process edited the devices (cheap: one query per table)."""
        with self.factory(bind=reader(self.factory.kw["bind"])) as session:
            fingerprint = device_service.config_fingerprint(session)
        if fingerprint != self._fingerprint:
            self.reload()

    def stop(self) -> None:
        if self._uninstall is not None:
            self._uninstall()
            self._uninstall = None
        if self.monitor is not None:
            self.monitor.stop()
        if self.spooler is not None:
            self.spooler.stop()


def _resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def start_devices(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    warehouse_code: str | None = None,
    sync_config: bool = True,
) -> DeviceRuntime:
    """Sync config/devices.toml into the database, build drivers, start the spooler."""
    config = load_devices(_resolve(settings.devices.config_file))
    if sync_config:
        with factory.begin() as session:
            query = select(Warehouse.id).order_by(Warehouse.id)
            if warehouse_code:
                query = query.where(Warehouse.code == warehouse_code)
            warehouse_id = session.scalar(query)
            device_service.sync_devices(session, config, warehouse_id=warehouse_id)
    board = StatusBoard()
    runtime = DeviceRuntime(
        factory,
        DeviceRegistry(_resolve(settings.devices.spool_dir)),
        board,
        file_printers=frozenset(p.code for p in config.printers),
        file_scales=frozenset(s.code for s in config.scales),
    )
    runtime.reload()
    if settings.devices.start_workers:
        runtime.spooler = PrintSpooler(SpoolStore(factory), runtime.registry.printer, board=board)
        runtime._uninstall = printing.notify_after_commit(factory, runtime.spooler.wake)
        runtime.spooler.start(runtime.registry.printer_codes())
        runtime.monitor = ScaleMonitor(
            runtime.registry.scale_codes,
            runtime.registry.scale,
            board,
            interval=settings.devices.health_interval,
            on_round=runtime.reload_if_changed,
        ).start()
    return runtime
