"""Incoming QC at the inspection area: sample, rejected quantity, note, verdict.

::

    scan_container ──container / item in quarantine──► scan_sample ──n──► scan_rejected
                                                                             │ r (0..qty)
                                                                             ▼
                                        done ◄──note or "no note"── scan_note

    F1 back: scan_rejected → scan_sample, scan_note → scan_rejected

The rest (quantity − rejected) is accepted: released to putaway; the
rejected part goes to the return-to-supplier location with a purchase return.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from wms.errors import WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.inbound_input import parse_number
from wms.flows.scans import Scan
from wms.messages import unit
from wms.model import Item, QcInspection, QcStatus, exact, qty_str
from wms.services import qc


class S(StrEnum):
    scan_container = "scan_container"
    scan_sample = "scan_sample"
    scan_rejected = "scan_rejected"
    scan_note = "scan_note"
    done = "done"


class NoInspection(WmsError):
    code = "no_inspection"
    http_status = 422


class OutOfRange(WmsError):
    code = "qty_out_of_range"
    http_status = 422


class QcFlow(Flow):
    name = "qc"
    title = "qc.title"
    initial = S.scan_container
    TRANSITIONS = {
        S.scan_container: frozenset({S.scan_sample}),
        S.scan_sample: frozenset({S.scan_rejected}),
        S.scan_rejected: frozenset({S.scan_sample, S.scan_note}),
        S.scan_note: frozenset({S.scan_rejected, S.done}),
        S.done: frozenset(),
    }
    BACK = {S.scan_rejected: S.scan_sample, S.scan_note: S.scan_rejected}

    def screen(self, state: str) -> Screen:
        expect = {S.scan_container: "container", S.scan_note: "text", S.done: None}
        actions = {S.scan_rejected: ("back",), S.scan_note: ("back", "no_note")}
        return Screen(
            state,
            f"qc.{state}",
            {},
            expect.get(state, "quantity"),
            self._fields(),
            actions=actions.get(state, ()),
            done=state == S.done,
        )

    def _fields(self) -> tuple[tuple[str, str], ...]:
        d = self.data
        if not d.get("inspection_id"):
            return ()
        qty = f"{d['qty']} {unit(d['uom'], self.ctx.locale)}"
        out = [("field.item", d["sku"]), ("field.quantity", qty)]
        if d.get("container"):
            out.insert(0, ("field.container", d["container"]))
        for key in ("sample", "rejected"):
            if d.get(key) is not None:
                out.append((f"field.{key}", d[key]))
        return tuple(out)

    def on_scan_container(self, scan: Scan) -> Screen:
        stmt = select(QcInspection).where(
            QcInspection.warehouse_id == self.ctx.warehouse_id,
            QcInspection.status == QcStatus.pending,
        )
        if scan.container is not None:
            stmt = stmt.where(QcInspection.container_id == scan.container.id)
        elif scan.item is not None:
            stmt = stmt.where(QcInspection.item_id == scan.item.id)
        else:
            raise NoInspection(scanned=scan.raw)
        found = self.session.scalars(stmt.order_by(QcInspection.id).limit(1)).first()
        if found is None:
            raise NoInspection(scanned=scan.raw)
        item = self.session.get(Item, found.item_id)
        assert item is not None
        self.data.update(
            inspection_id=found.id,
            sku=item.sku,
            qty=qty_str(found.qty),
            uom=item.base_uom,
            container=scan.container.code if scan.container else None,
        )
        return self.screen(S.scan_sample)

    def on_scan_sample(self, scan: Scan) -> Screen:
        sample = exact(parse_number(scan.raw))
        if not 0 < sample <= Decimal(self.data["qty"]):
            raise OutOfRange(min="1", max=self.data["qty"])
        self.data["sample"] = qty_str(sample)
        return self.screen(S.scan_rejected)

    def on_scan_rejected(self, scan: Scan) -> Screen:
        rejected = exact(parse_number(scan.raw))
        if not 0 <= rejected <= Decimal(self.data["qty"]):
            raise OutOfRange(min="0", max=self.data["qty"])
        self.data["rejected"] = qty_str(rejected)
        return self.screen(S.scan_note)

    def on_scan_note(self, scan: Scan) -> Screen:
        return self._record(scan.raw.strip()[:500] or None)

    def act_no_note(self) -> Screen:
        return self._record(None)

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return {S.scan_sample: ("sample", "rejected"), S.scan_rejected: ("rejected",)}.get(
            target, ()
        )

    def _record(self, note: str | None) -> Screen:
        d, ctx = self.data, self.ctx
        qty, rejected = Decimal(d["qty"]), Decimal(d["rejected"])
        verdict = qc.Verdict(Decimal(d["sample"]), qty - rejected, rejected, note)
        qc.record_inspection(
            self.session,
            inspection_id=d["inspection_id"],
            verdict=verdict,
            inspector_id=ctx.user.id,
            device_id=ctx.device_id,
            request_id=ctx.request_id,
        )
        params = {"accepted": qty_str(qty - rejected), "rejected": d["rejected"]}
        return replace(self.screen(S.done), message=Message("inspected", "success", params))
