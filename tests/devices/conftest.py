"""Fixtures for device tests: databases, a warehouse with printers, fake devices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from wms.db import make_engine, make_session_factory
from wms.devices.fakes.zebra_server import FakeZebraServer
from wms.model import Base, Printer, PrinterAssignment, PrinterDriver, Warehouse


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = make_engine("sqlite://")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def file_factory(tmp_path) -> Iterator[sessionmaker[Session]]:
    """SQLite in a file (WAL): the spooler's threads each need their own connection."""
    eng = make_engine(f"sqlite:///{tmp_path / 'devices.sqlite3'}")
    Base.metadata.create_all(eng)
    yield make_session_factory(eng)
    eng.dispose()


@pytest.fixture
def fake_zebra() -> Iterator[FakeZebraServer]:
    server = FakeZebraServer().start()
    yield server
    server.stop()


def add_printer(session: Session, code: str, *, port: int = 9100, driver: PrinterDriver =
                PrinterDriver.tcp, **extra: object) -> Printer:
    warehouse = session.query(Warehouse).first()
    if warehouse is None:
        warehouse = Warehouse(code="WH1", name="Main")
        session.add(warehouse)
        session.flush()
    printer = Printer(code=code, name=code, driver=driver, address="127.0.0.1", port=port,
                      warehouse_id=warehouse.id, **extra)
    session.add(printer)
    session.flush()
    session.add(PrinterAssignment(printer_id=printer.id, warehouse_id=warehouse.id))
    session.flush()
    return printer
