"""New containers (LPNs) at the dock and their labels.

With a GS1 company prefix on the warehouse the LPN is an SSCC-18 whose
serial reference is the container's id, so two terminals never make the
same one; without a prefix it is ``LPN`` and eight digits.
"""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy.orm import Session

from wms.model import Container, ContainerKind, Item, PrintJob, Warehouse
from wms.scanning.checkdigits import make_sscc
from wms.services import printing


def new_container(
    session: Session,
    *,
    warehouse_id: int,
    location_id: int | None = None,
    kind: ContainerKind = ContainerKind.pallet,
) -> Container:
    warehouse = session.get(Warehouse, warehouse_id)
    assert warehouse is not None
    container = Container(
        code=f"tmp-{uuid4().hex[:20]}",
        kind=kind,
        warehouse_id=warehouse_id,
        location_id=location_id,
        is_sscc=bool(warehouse.gs1_company_prefix),
    )
    session.add(container)
    session.flush()
    prefix = warehouse.gs1_company_prefix
    container.code = make_sscc(0, prefix, container.id) if prefix else f"LPN{container.id:08d}"
    session.flush()
    return container


def print_label(
    session: Session,
    *,
    container: Container,
    item: Item | None = None,
    qty: str | None = None,
    lot: str | None = None,
    expiry: str | None = None,
    terminal: str | None = None,
    requested_by_id: int | None = None,
) -> PrintJob:
    """Queue the container label on the printer assigned to this terminal (sent after commit)."""
    data = {
        "lpn": container.code,
        "sscc": container.code if container.is_sscc else "",
        "item_name": item.name if item else "",
        "sku": item.sku if item else "",
        "qty": qty or "",
        "uom": item.base_uom if item else "",
        "lot": lot or "",
        "expiry": expiry or "",
    }
    return printing.queue_print_job(
        session,
        kind="container",
        data=data,
        terminal=terminal,
        warehouse_id=container.warehouse_id,
        business_key=f"container:{container.code}",
        requested_by_id=requested_by_id,
    )
