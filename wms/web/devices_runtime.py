"""Start and stop the device side of the app: config sync, registry, spooler, health hooks.

Called by ``create_app`` (and the CLI), never at import time::

    runtime = start_devices(settings, session_factory, warehouse_code="WH1")
    runtime.board.on_status_change.append(push_printer_status)   # Socket.IO, in the app
    ...
    runtime.stop()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wms.devices.config import load_devices
from wms.devices.health import StatusBoard
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
    #: Returns the signed-in user's id for "reprinted by whom"; the app replaces it.
    current_user_id: Callable[[], int | None] = field(default=lambda: None)
    _uninstall: Callable[[], None] | None = None

    def reload(self) -> None:
        """Rebuild drivers after devices were edited in the console."""
        with self.factory() as session:
            self.registry.configure(
                device_service.printer_configs(session), device_service.scale_configs(session)
            )
        if self.spooler is not None:
            self.spooler.wake(self.registry.printer_codes())

    def stop(self) -> None:
        if self._uninstall is not None:
            self._uninstall()
            self._uninstall = None
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
    if sync_config:
        config = load_devices(_resolve(settings.devices.config_file))
        with factory.begin() as session:
            query = select(Warehouse.id).order_by(Warehouse.id)
            if warehouse_code:
                query = query.where(Warehouse.code == warehouse_code)
            warehouse_id = session.scalar(query)
            device_service.sync_devices(session, config, warehouse_id=warehouse_id)
    board = StatusBoard()
    runtime = DeviceRuntime(factory, DeviceRegistry(_resolve(settings.devices.spool_dir)), board)
    runtime.reload()
    if settings.devices.start_workers:
        runtime.spooler = PrintSpooler(SpoolStore(factory), runtime.registry.printer, board=board)
        runtime._uninstall = printing.notify_after_commit(factory, runtime.spooler.wake)
        runtime.spooler.start(runtime.registry.printer_codes())
    return runtime
