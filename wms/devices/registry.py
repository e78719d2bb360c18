"""The device registry: builds printer and scale drivers from configuration.

Only the app factory and the CLI construct it. ``configure`` may be called
again when a supervisor edits devices in the console; drivers are rebuilt
lazily and a printer keeps its driver (and its one-connection lock) until
its configuration changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from wms.devices import zebra
from wms.devices.config import PrinterConfig, ScaleConfig
from wms.devices.errors import ScaleError
from wms.devices.fakes import protocol_fakescale
from wms.devices.fakes.scale_sim import MtSicsSimulator
from wms.devices.fakes.spool_printer import FakeSpoolPrinter
from wms.devices.ports import LabelPrinter, Scale
from wms.devices.scales import MtSicsScale, SerialConfig, ToledoContinuousScale
from wms.errors import Conflict, NotFound


class UnknownDevice(NotFound):
    code = "unknown_device"
    title = "Unknown device"


class NotAFakeScale(Conflict):
    code = "not_a_fake_scale"
    title = "Not a fake scale"


class DeviceRegistry:
    def __init__(self, spool_dir: str | Path, *, io_timeout: float = 2.0) -> None:
        self.spool_dir = Path(spool_dir)
        self.io_timeout = io_timeout
        self._printer_configs: dict[str, PrinterConfig] = {}
        self._scale_configs: dict[str, ScaleConfig] = {}
        self._printers: dict[str, tuple[PrinterConfig, LabelPrinter]] = {}
        self._scales: dict[str, tuple[ScaleConfig, Scale]] = {}
        self._lock = threading.Lock()

    def configure(self, printers: list[PrinterConfig], scales: list[ScaleConfig]) -> None:
        """Take a new configuration; drivers of removed or disabled devices are let go."""
        with self._lock:
            self._printer_configs = {p.code: p for p in printers if p.enabled}
            self._scale_configs = {s.code: s for s in scales if s.enabled}
            for code in set(self._printers) - set(self._printer_configs):
                del self._printers[code]
            for code in set(self._scales) - set(self._scale_configs):
                _, scale = self._scales.pop(code)
                scale.close()  # type: ignore[attr-defined]  (frees the serial port)

    def printer_codes(self) -> list[str]:
        return sorted(self._printer_configs)

    def scale_codes(self) -> list[str]:
        return sorted(self._scale_configs)

    def printer(self, code: str) -> LabelPrinter:
        with self._lock:
            config = self._printer_configs.get(code)
            if config is None:
                raise UnknownDevice(f"printer {code} is not configured", printer=code)
            built = self._printers.get(code)
            if built is None or built[0] != config:
                built = (config, self._build_printer(config))
                self._printers[code] = built
            return built[1]

    def scale(self, code: str) -> Scale:
        with self._lock:
            config = self._scale_configs.get(code)
            if config is None:
                raise UnknownDevice(f"scale {code} is not configured", scale=code)
            built = self._scales.get(code)
            if built is None or built[0] != config:
                if built is not None:
                    built[1].close()  # type: ignore[attr-defined]
                built = (config, self._build_scale(config))
                self._scales[code] = built
            return built[1]

    def fake_platform(self, code: str) -> MtSicsSimulator:
        """The simulated platform behind a fake scale, to put goods on it (demo and tests).

        A real scale has no such thing: asking for one is refused.
        """
        with self._lock:
            config = self._scale_configs.get(code)
        if config is None:
            raise UnknownDevice(f"scale {code} is not configured", scale=code)
        url = config.url or (f"fakescale://{config.code}" if config.driver == "fake" else "")
        if not url.startswith("fakescale://"):
            raise NotAFakeScale(f"scale {code} is a real scale: put the goods on it", scale=code)
        protocol_fakescale.register()
        return protocol_fakescale.simulator(url.split("://", 1)[1].strip("/"))

    def _build_printer(self, cfg: PrinterConfig) -> LabelPrinter:
        if cfg.driver == "tcp":
            return zebra.tcp_printer(
                cfg.code,
                cfg.address,
                cfg.port,
                io_timeout=self.io_timeout,
                status_query=cfg.status_query,
            )
        if cfg.driver == "serial":
            return zebra.serial_printer(
                cfg.code,
                cfg.address,
                baudrate=cfg.baudrate,
                io_timeout=self.io_timeout,
                status_query=cfg.status_query,
            )
        if cfg.driver == "fake":
            return FakeSpoolPrinter(cfg.code, self.spool_dir / cfg.code, dpi=cfg.dpi)
        raise ValueError(f"printer {cfg.code}: unknown driver {cfg.driver!r}")

    def _build_scale(self, cfg: ScaleConfig) -> Scale:
        url = cfg.url
        driver = cfg.driver
        if driver == "fake":
            protocol_fakescale.register()
            url, driver = url or f"fakescale://{cfg.code}", "mtsics"
        elif url.startswith("fakescale://"):
            protocol_fakescale.register()
        serial_cfg = SerialConfig(
            url, baudrate=cfg.baudrate, framing=cfg.framing, timeout=self.io_timeout
        )
        deadline = cfg.deadline_ms / 1000
        if driver == "mtsics":
            return MtSicsScale(
                cfg.code,
                serial_cfg,
                window=cfg.window,
                tolerance_g=cfg.tolerance_g,
                deadline_s=deadline,
            )
        if driver == "toledo":
            return ToledoContinuousScale(
                cfg.code,
                serial_cfg,
                window=cfg.window,
                tolerance_g=cfg.tolerance_g,
                deadline_s=deadline,
            )
        raise ScaleError(f"scale {cfg.code}: unknown driver {cfg.driver!r}")
