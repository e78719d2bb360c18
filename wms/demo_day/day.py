"""A whole warehouse day played live against a running server, by scripted actors.

Inbound: the ERP pushes a purchase order (a lot-tracked line announced
with lot and expiry, an untracked line) from the supplier whose goods go
to QC; the receiver signs in by badge and runs the ``receive`` flow,
scanning a GS1 case code and an item barcode, printing a new LPN label
for each; the QC inspector accepts both; the receiver puts them away on
the suggested locations.

Outbound: the ERP pushes two sales orders, one held by the value rule;
the supervisor approves it at the console, allocates and releases a
cluster wave; the picker picks the trip into totes and reports one line
short; the packer scans the station label, pack-checks each tote with the
fake scale (the shipping label prints) and ships the packages at the dock.

Inventory: the short pick's count is counted, recounted by another
operator and approved by the supervisor; the replenishment check sends a
forklift task to refill the face, which is done; the reorder check
suggests a purchase requisition.

Every step goes over HTTP exactly as the PDA page, the console page or
the ERP would send it; nothing reads or writes the database directly.
The ERP's webhook receiver checks every signature. ``play_day`` returns a
``DayReport`` the caller (``wms demo-day``, the tests) can check.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from wms.demo_day import texts
from wms.demo_day.client import Console, DayError, Erp, Pda
from wms.demo_day.receiver import WebhookReceiver
from wms.messages import translate
from wms.services.demo import DEMO_LOGINS, WAREHOUSE_CODE
from wms.services.demo.day import QC_SUPPLIER, is_day_item
from wms.services.demo.layout import PICK_FACE_ZONE

EVENTS = [
    "purchase_order.received",
    "sales_order.status_changed",
    "sales_order.shipped",
    "stock.adjusted",
    "stock.below_safety",
    "count.approved",
]
PACK_STATION = "PACK-01"
SCALE = "DEMO-SCALE"
DOCK = "SHIP-01"
PACKAGING_G = 200
#: What the counter finds on the face of the short line: fewer than its minimum.
FOUND_ON_SHORT_FACE = 3
WEBHOOK_WAIT_S = 20


def _badge(username: str) -> str:
    login = next(x for x in DEMO_LOGINS if x.username == username)
    assert login.badge
    return login.badge


def _password(username: str) -> str:
    login = next(x for x in DEMO_LOGINS if x.username == username)
    assert login.password
    return login.password


@dataclass
class DayReport:
    purchase_order: str = ""
    purchase_order_status: str = ""
    put_away: list[str] = field(default_factory=list)
    sales_orders: dict[str, str] = field(default_factory=dict)
    shipped: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    short_location: str = ""
    count_status: str = ""
    replenished: list[int] = field(default_factory=list)
    requisitions: list[str] = field(default_factory=list)
    webhooks: dict[str, int] = field(default_factory=dict)
    bad_signatures: int = 0
    tasks_in_progress: int = 0
    ledger_ok: bool = False
    ledger: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Day:
    def __init__(
        self, url: str, api_key: str, *, pace: float, lang: str, say: Callable[[str], None]
    ) -> None:
        self.url, self.pace, self.lang, self._say = url.rstrip("/"), pace, lang, say
        self.erp = Erp(self.url, api_key)
        self.hooks = WebhookReceiver()
        self.hooks.on_delivery = self._heard
        self.report = DayReport()
        self.stamp = datetime.now(UTC).strftime("%y%m%d-%H%M%S")
        self.console = Console(self.url, username="supervisor1", password=_password("supervisor1"))
        self.users: dict[str, int] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.my_tasks: set[int] = set()
        self.seen_jobs: set[str | None] = set()
        self.new_requisitions = 0

    # -- narration ---------------------------------------------------------------------
    def say(self, who: str, key: str, **params: Any) -> None:
        clock = datetime.now().strftime("%H:%M:%S")
        name = texts.actor(who, self.lang)
        # Chinese characters take two columns on a terminal.
        pad = " " * max(1, 13 - sum(2 if ord(c) > 0x2E80 else 1 for c in name))
        self._say(f"[{clock}] {name}{pad}{texts.line(key, self.lang, **params)}")

    def _heard(self, d: Any) -> None:
        ok = texts.line("sig_ok" if d.signature_ok else "sig_bad", self.lang)
        self.say("erp", "webhook", type=d.type, ok=ok)

    def pause(self) -> None:
        if self.pace > 0:
            time.sleep(self.pace)

    # -- a PDA that narrates every scan --------------------------------------------------
    def pda(self, who: str, username: str, device: str) -> Pda:
        pda = Pda(self.url, badge=_badge(username), device_id=device)
        pda.sign_in()
        self.say(who, "signed_in", badge=pda.badge, device=device)
        return pda

    def scan(self, who: str, pda: Pda, value: str) -> dict[str, Any]:
        self.pause()
        state = texts.state(pda.screen.get("state", ""), self.lang)
        shown = pda.step(value)
        self.say(who, "scan", state=state, value=value)
        self._screen(who, shown)
        return shown

    def press(self, who: str, pda: Pda, action: str) -> dict[str, Any]:
        self.pause()
        state = texts.state(pda.screen.get("state", ""), self.lang)
        key = next((a["key"] for a in pda.screen.get("actions") or [] if a["action"] == action), "")
        shown = pda.step(action=action)
        self.say(who, "key", state=state, fkey=key, action=action)
        self._screen(who, shown)
        return shown

    def _screen(self, who: str, shown: dict[str, Any]) -> None:
        message = shown.get("message")
        if message:
            self.say(who, "screen", text=message["text"])

    # -- the day -------------------------------------------------------------------------
    def play(self) -> DayReport:
        self.say("erp", "start", url=self.url, pace=self.pace)
        self.hooks.start()
        subscription = self.erp.post("/webhooks", {"url": self.hooks.url, "events": EVENTS})
        self.hooks.secret = subscription["secret"]
        self.say("erp", "subscribed", url=self.hooks.url)
        try:
            self.console.sign_in()
            self.say("supervisor", "console_in")
            self.users = {
                o["name"]: o["user_id"]
                for o in self.console.get("/console/api/presence")["operators"]
            }
            self._load_items()
            self.seen_jobs = {j["business_key"] for j in self.console.get("/devices/api/jobs")}
            self.inbound()
            short_sku = self.outbound()
            self.inventory(short_sku)
            self.verify()
        finally:
            self.erp.call("DELETE", f"/webhooks/{subscription['id']}")
            self.hooks.stop()
        return self.report

    def _load_items(self) -> None:
        page = self.erp.get("/items", limit=1000)["items"]
        self.items = {it["sku"]: it for it in page}
        self.catalogue = [it["sku"] for it in page]

    def _barcode(self, sku: str, uom: str) -> str:
        return next(b["barcode"] for b in self.items[sku]["barcodes"] if b["uom"] == uom)

    # -- inbound -------------------------------------------------------------------------
    def inbound(self) -> None:
        lot_item = next(
            s
            for s in self.catalogue
            if self.items[s]["tracking"] == "lot" and self.items[s].get("shelf_life_days")
        )
        plain = next(s for s in self.catalogue if self.items[s]["tracking"] == "none")
        expiry = date.today() + timedelta(days=int(self.items[lot_item]["shelf_life_days"]))
        po, lot = f"PO-DAY-{self.stamp}", f"L{self.stamp[:6]}A"
        order = self.erp.post(
            "/purchase-orders",
            {
                "external_id": po,
                "supplier": QC_SUPPLIER,
                "warehouse": WAREHOUSE_CODE,
                "lines": [
                    {
                        "line_no": 1,
                        "sku": lot_item,
                        "qty": 2,
                        "uom": "case",
                        "lot": lot,
                        "expiry": expiry.isoformat(),
                    },
                    {"line_no": 2, "sku": plain, "qty": 1, "uom": "case"},
                ],
            },
        )
        self.report.purchase_order = po
        self.say(
            "erp",
            "po_pushed",
            po=po,
            supplier=order["supplier"],
            lines=", ".join(
                f"{ln['qty']} {ln['uom']} {ln['sku']}" + (f" lot {ln['lot']}" if ln["lot"] else "")
                for ln in order["lines"]
            ),
        )

        rx = self.pda("receiver", "receiver1", "PDA-RCV-01")
        rx.start("receive")
        self.scan("receiver", rx, po)
        # One GS1-128 case label: (01) case GTIN, (17) expiry, (10) lot (last: no GS needed).
        gs1 = f"]C101{self._barcode(lot_item, 'case').zfill(14)}17{expiry:%y%m%d}10{lot}"
        self.scan("receiver", rx, gs1)
        self.scan("receiver", rx, "2")
        self.press("receiver", rx, "print")
        self.scan("receiver", rx, self._barcode(plain, "case"))
        if rx.screen["state"] == "scan_quantity":
            self.scan("receiver", rx, "1")
        self.press("receiver", rx, "print")
        self.press("receiver", rx, "close")
        self._labels("container", 2)

        qc = self.pda("inspector", "inspector1", "PDA-QC-01")
        for sku in (lot_item, plain):
            qc.start("qc")
            self.scan("inspector", qc, self._barcode(sku, "each"))
            self.scan("inspector", qc, "1")  # sample one unit
            self.scan("inspector", qc, "0")  # nothing rejected
            self.press("inspector", qc, "no_note")

        for task in self._tasks("putaway", lambda t: t["sku"] in (lot_item, plain)):
            self._assign(task, "receiver1")
            rx.start("putaway", task["id"])
            if rx.screen["state"] == "scan_container":
                lpn = next(
                    f["value"] for f in rx.screen["fields"] if re.fullmatch(r"\d{18}", f["value"])
                )
                self.scan("receiver", rx, lpn)
            self.scan("receiver", rx, task["to_location"])
            if rx.screen["state"] == "confirm_destination":
                self.scan("receiver", rx, task["to_location"])
            if not rx.screen["done"]:
                raise DayError(f"putaway of task {task['id']} did not finish")
            self.report.put_away.append(f"{task['sku']}→{task['to_location']}")

    # -- outbound ------------------------------------------------------------------------
    def outbound(self) -> str:
        day = [
            s
            for i, s in enumerate(self.catalogue[:60])
            if is_day_item(i, self.items[s]["tracking"])
        ]
        faces = self._pick_faces()
        stock = {s: self._free(s, faces) for s in day}
        usable = [s for s in day if stock[s][0] >= 4]
        # The line picked short is of the item with the most reserve stock to refill from.
        refillable = sorted((s for s in usable if stock[s][1] > 0), key=lambda s: -stock[s][1])
        if len(usable) < 3 or not refillable:
            raise DayError(
                "the demo's day items have run out of stock: rebuild the demo (wms demo --reset)"
            )
        c = refillable[0]
        a, b = [s for s in usable if s != c][:2]
        orders = [
            {
                "external_id": f"SO-DAY-{self.stamp}-1",
                "customer": "CUS-001",
                "ship_to": {"name": "Receiving department", "address": "Dock 1, Logistics Park"},
                "lines": [
                    {"line_no": 1, "sku": a, "qty": 2, "unit_price": 12},
                    {"line_no": 2, "sku": b, "qty": 1, "unit_price": 30},
                ],
            },
            # Worth more than the warehouse's review limit: held for the supervisor.
            {
                "external_id": f"SO-DAY-{self.stamp}-2",
                "customer": "CUS-002",
                "ship_to": {"name": "Receiving department", "address": "Dock 2, Logistics Park"},
                "lines": [
                    {"line_no": 1, "sku": c, "qty": 3, "unit_price": 2400},
                    {"line_no": 2, "sku": a, "qty": 1, "unit_price": 12},
                ],
            },
        ]
        for body in orders:
            body.update(warehouse=WAREHOUSE_CODE, priority=9, carrier="FAKE")
            out = self.erp.post("/sales-orders", body)
            self.report.sales_orders[out["external_id"]] = out["status"]
            self.say(
                "erp",
                "so_pushed",
                so=out["external_id"],
                status=out["status"],
                lines=", ".join(f"{ln['qty']} {ln['sku']}" for ln in out["lines"]),
            )

        self._approve_held(list(self.report.sales_orders))
        self.console.form("/console/waves/allocate")
        self.say("supervisor", "allocated")
        page = self.console.form("/console/waves/release", {"mode": "cluster", "min_priority": "9"})
        flashes = [
            html.unescape(t)
            for lvl, t in re.findall(r'class="flash flash-(\w+)"[^>]*>([^<]*)<', page)
            if lvl == "success"
        ]
        self.say("supervisor", "wave", text="; ".join(flashes) or "-")

        picks = self._tasks("pick", lambda t: True, statuses="released")
        if not picks:
            raise DayError("the wave made no pick task")
        self._assign(picks[0], "picker1")
        picker = self.pda("picker", "picker1", "PDA-PCK-01")
        picker.start("pick", picks[0]["id"])
        totes: dict[str, str] = {}
        picked: dict[str, dict[str, int]] = {}
        short_sku = ""
        while not picker.screen["done"]:
            # The pick screens show: location, item, picked/asked, order (docs/outbound.md).
            values = [f["value"] for f in picker.screen["fields"]]
            state = picker.screen["state"]
            if state == "scan_location":
                location, sku = values[0], values[1]
                if sku == c and not short_sku:
                    short_sku, self.report.short_location = sku, location
                    self.press("picker", picker, "short")
                    self.scan("picker", picker, "3")  # not found
                    continue
                self.scan("picker", picker, location)
            elif state == "scan_item":
                self.scan("picker", picker, self._barcode(values[1], "each"))
            elif state == "scan_quantity":
                self.scan("picker", picker, values[2].split("/")[1])
            elif state == "scan_tote":
                order, sku, qty = values[3], values[1], int(values[2].split("/")[1])
                tote = totes.setdefault(order, self._free_tote(len(totes)))
                self.scan("picker", picker, tote)
                picked.setdefault(order, {})
                picked[order][sku] = picked[order].get(sku, 0) + qty
            else:
                raise DayError(f"the pick flow showed an unexpected screen {state}")

        packer = self.pda("packer", "packer1", "PDA-PACK-01")
        bound = packer.api("/workstation", {"scan": f"WS:{PACK_STATION}"})
        self.say("packer", "bound", station=bound["workstation"], scale=bound["scale"])
        for order, tote in totes.items():
            packer.start("pack_check")
            self.scan("packer", packer, tote)
            for sku, qty in picked[order].items():
                self.scan("packer", packer, self._barcode(sku, "each"))
                if qty > 1 and packer.screen["state"] == "scan_item":
                    self.scan("packer", packer, str(qty))
            if packer.screen["state"] == "scan_item":
                self.press("packer", packer, "close")
            grams = PACKAGING_G + int(
                sum(
                    Decimal(self.items[sku]["weight_kg"] or 0) * qty * 1000
                    for sku, qty in picked[order].items()
                )
            )
            self.console.post(f"/devices/api/scales/{SCALE}/load", {"grams": grams})
            self.say("packer", "scale", grams=grams)
            self.press("packer", packer, "weigh")
            if not packer.screen["done"] and packer.has_action("finish_order"):
                self.press("packer", packer, "finish_order")
            self.console.post(f"/devices/api/scales/{SCALE}/load", {"grams": 0})
        self._labels("shipping", len(totes))

        shipper = self.pda("shipper", "packer1", "PDA-DOCK-01")
        shipper.start("ship")
        self.scan("shipper", shipper, DOCK)
        for order in totes:
            for package in self.erp.get(f"/sales-orders/{order}")["packages"]:
                self.scan("shipper", shipper, package["code"])
        self.press("shipper", shipper, "ship")
        return short_sku

    def _pick_faces(self) -> set[str]:
        """The codes of the demo's pick faces (zone PICK), read from the locations API."""
        codes: set[str] = set()
        cursor = None
        while True:
            params = {"warehouse": WAREHOUSE_CODE, "zone": PICK_FACE_ZONE, "limit": 1000}
            page = self.erp.get("/locations", **(params | ({"cursor": cursor} if cursor else {})))
            codes |= {loc["code"] for loc in page["items"]}
            cursor = page.get("next_cursor")
            if not cursor or not page["items"]:
                return codes

    def _free(self, sku: str, faces: set[str]) -> tuple[int, int]:
        """Free stock of ``sku`` on its best pick face, and in reserve to refill it from."""
        rows = self.erp.get("/stock", sku=sku, status="available", limit=1000)["items"]
        on_face = [int(Decimal(r["available"])) for r in rows if r["location"] in faces]
        reserve = sum(
            int(Decimal(r["available"]))
            for r in rows
            if r["location"] not in faces and not r.get("container")
        )
        return max(on_face, default=0), reserve

    @staticmethod
    def _free_tote(taken: int) -> str:
        """Totes T0001, T0002 ... from the cart: a tote is free again once its order shipped."""
        return f"T{taken + 1:04d}"

    def _approve_held(self, wanted: list[str]) -> None:
        page = self.console.page("/console/orders")
        for external_id in wanted:
            row = page.split(f'id="order-{external_id}"')
            if len(row) < 2:
                continue
            cells = row[1].split("</tr>")[0]
            found = re.search(r'action="([^"]*/approve[^"]*)"', cells)
            if found is None:
                continue
            self.pause()
            self.console.form(html.unescape(found.group(1)))
            reasons = re.findall(r"<td>([^<]*)</td>", cells)
            self.say(
                "supervisor",
                "approved_order",
                so=external_id,
                reasons=html.unescape(reasons[0]) if reasons else "",
            )

    # -- inventory -----------------------------------------------------------------------
    def inventory(self, short_sku: str) -> None:
        location = self.report.short_location
        if not short_sku:
            raise DayError("no line was picked short")
        for who, username, device in (
            ("counter", "inspector1", "PDA-QC-01"),
            ("recounter", "operator2", "PDA-OP-02"),
        ):
            task = self._tasks("count", lambda t: t["from_location"] == location)[-1]
            self._assign(task, username)
            pda = self.pda(who, username, device)
            pda.start("count", task["id"])
            self.scan(who, pda, location)
            self.scan(who, pda, self._barcode(short_sku, "each"))
            self.scan(who, pda, str(FOUND_ON_SHORT_FACE))
            self.press(who, pda, "finish")
            status = "recount" if who == "counter" else "pending"
            for v in self.console.get("/console/api/variances", status=status)["items"]:
                if v["location"] == location:
                    self.say(
                        "supervisor",
                        "variance",
                        location=location,
                        sku=v["sku"],
                        counted=v["counted_qty"],
                        expected=v["expected_qty"],
                        status=v["status"],
                    )
        pending = [
            v
            for v in self.console.get("/console/api/variances")["items"]
            if v["location"] == location
        ]
        for v in pending:
            self.pause()
            done = self.console.post(
                f"/console/api/variances/{v['variance_id']}/approve",
                {"reason": "short pick confirmed by a recount"},
            )
            self.report.count_status = done["status"]
            self.say(
                "supervisor",
                "variance_approved",
                diff=done["diff_qty"],
                sku=done["sku"],
                location=location,
            )

        made = self.console.post("/console/api/replenishment/check")["created"]
        self.say("supervisor", "replenish", count=len(made))
        for task in self._tasks("replenish", lambda t: t["to_location"] == location):
            self._assign(task, "picker1")
            driver = self.pda("forklift", "picker1", "PDA-FLT-01")
            driver.start("move", task["id"])
            self.scan("forklift", driver, task["from_location"])
            self.scan("forklift", driver, self._barcode(task["sku"], "each"))
            if driver.screen["state"] == "scan_quantity":
                self.scan("forklift", driver, str(Decimal(task["qty"]).normalize()))
            self.scan("forklift", driver, task["to_location"])
            if driver.screen["state"] == "confirm_destination":
                self.scan("forklift", driver, task["to_location"])
            if not driver.screen["done"]:
                raise DayError(f"replenishment task {task['id']} did not finish")
            self.report.replenished.append(task["id"])

        made = self.console.post("/console/api/reorder/check")["created"]
        self.new_requisitions = len(made)
        suggested = self.console.get("/console/api/requisitions")["items"]
        self.report.requisitions = [r["sku"] for r in suggested]
        self.say(
            "supervisor",
            "reorder",
            text=", ".join(
                texts.line(
                    "requisition",
                    self.lang,
                    sku=r["sku"],
                    available=r["available"],
                    point=r["reorder_point"],
                    qty=r["qty"],
                )
                for r in made
            )
            or texts.line("none", self.lang),
        )

    # -- helpers on the board ------------------------------------------------------------
    def _tasks(
        self, type_: str, want: Callable[[dict[str, Any]], bool], statuses: str = "created,released"
    ) -> list[dict[str, Any]]:
        rows = self.console.get("/console/api/tasks", status=statuses, per_page=200)["tasks"]
        found = sorted((t for t in rows if t["type"] == type_ and want(t)), key=lambda t: t["id"])
        if not found:
            raise DayError(f"no open {type_} task on the board")
        return found

    def _assign(self, task: dict[str, Any], username: str) -> None:
        self.pause()
        self.console.post(
            f"/console/api/tasks/{task['id']}/assign", {"user_id": self.users[username]}
        )
        self.my_tasks.add(task["id"])
        kind = translate(f"board.type.{task['type']}", self.lang)
        kind = kind if self.lang.startswith("zh") else kind.lower()
        self.say("supervisor", "assigned", type=kind, task=task["id"], user=username)

    def _labels(self, kind: str, expected: int) -> None:
        """The day's new labels of ``kind`` reached their (fake) printer: job state ``sent``."""
        deadline = time.monotonic() + 10
        while True:
            jobs = [
                j
                for j in self.console.get("/devices/api/jobs")
                if j["kind"] == kind and j["business_key"] not in self.seen_jobs
            ]
            sent = [j for j in jobs if j["state"] == "sent"]
            if len(sent) >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for job in sorted(sent, key=lambda j: j["id"])[:expected]:
            self.seen_jobs.add(job["business_key"])
            self.report.labels.append(job["business_key"])
            self.say("check", "label", ref=job["business_key"], printer=job["printer"], kind=kind)
        if len(sent) < expected:
            self.report.problems.append(f"{expected - len(sent)} {kind} label(s) not printed")

    # -- the end of the day --------------------------------------------------------------
    def verify(self) -> None:
        r = self.report
        po = self.erp.get(f"/purchase-orders/{r.purchase_order}")
        r.purchase_order_status = po["status"]
        for so in r.sales_orders:
            out = self.erp.get(f"/sales-orders/{so}")
            r.sales_orders[so] = out["status"]
            r.shipped[so] = ", ".join(f"{ln['shipped_qty']} {ln['sku']}" for ln in out["lines"])
        self.hooks.wait_for(lambda: self._hooks_complete(), WEBHOOK_WAIT_S)
        r.webhooks = {t: len(self.hooks.of_type(t)) for t in EVENTS}
        r.bad_signatures = sum(1 for d in self.hooks.deliveries if not d.signature_ok)
        busy = self.console.get("/console/api/tasks", status="in_progress,assigned", per_page=200)[
            "tasks"
        ]
        r.tasks_in_progress = sum(1 for t in busy if t["id"] in self.my_tasks)
        r.ledger = self.erp.get("/ledger-check")
        r.ledger_ok = bool(r.ledger["ok"])

        if r.purchase_order_status not in ("received", "closed"):
            r.problems.append(f"{r.purchase_order} is {r.purchase_order_status}")
        if len(r.put_away) < 2:
            r.problems.append("not every received line was put away")
        r.problems += [
            f"{so} is {status}" for so, status in r.sales_orders.items() if status != "shipped"
        ]
        if r.count_status != "approved":
            r.problems.append(f"the count at {r.short_location} is not approved")
        if not r.replenished:
            r.problems.append("no replenishment was done")
        if not r.requisitions:
            r.problems.append("no reorder suggestion appeared")
        if not self._hooks_complete():
            r.problems.append(f"webhooks missing: {r.webhooks}")
        if r.bad_signatures:
            r.problems.append(f"{r.bad_signatures} webhooks with a bad signature")
        if r.tasks_in_progress:
            r.problems.append(f"{r.tasks_in_progress} tasks of the day still open")
        if not r.ledger_ok:
            r.problems.append(f"{len(r.ledger['discrepancies'])} ledger discrepancies")
        self._summary()

    def _hooks_complete(self) -> bool:
        shipped = {d.data.get("external_id") for d in self.hooks.of_type("sales_order.shipped")}
        received = {
            d.data.get("external_id") for d in self.hooks.of_type("purchase_order.received")
        }
        return (
            self.report.purchase_order in received
            and set(self.report.sales_orders) <= shipped
            and bool(self.hooks.of_type("count.approved"))
            and (not self.new_requisitions or bool(self.hooks.of_type("stock.below_safety")))
        )

    def _summary(self) -> None:
        r, say = self.report, self._say
        say("")
        say(texts.line("summary", self.lang))
        say(
            "  "
            + texts.line(
                "sum_po",
                self.lang,
                po=r.purchase_order,
                status=r.purchase_order_status,
                putaway=", ".join(r.put_away),
            )
        )
        for so, status in r.sales_orders.items():
            say(
                "  "
                + texts.line(
                    "sum_so", self.lang, so=so, status=status, shipped=r.shipped.get(so, "")
                )
            )
        say(
            "  "
            + texts.line(
                "sum_count", self.lang, location=r.short_location, status=r.count_status or "-"
            )
        )
        say("  " + texts.line("sum_tasks", self.lang, count=r.tasks_in_progress))
        say(
            "  "
            + texts.line(
                "sum_hooks",
                self.lang,
                count=sum(r.webhooks.values()),
                bad=r.bad_signatures,
                types=", ".join(f"{t} {n}" for t, n in r.webhooks.items() if n),
            )
        )
        say(
            "  "
            + texts.line(
                "sum_ledger",
                self.lang,
                quants=r.ledger.get("quants"),
                moves=r.ledger.get("moves"),
                problems=len(r.ledger.get("discrepancies", [])),
            )
        )
        for d in r.ledger.get("discrepancies", []):
            say(f"    {d['quant_key']}: {d['problem']} ({d['expected']} / {d['actual']})")
        say(
            texts.line("sum_ok", self.lang)
            if r.ok
            else texts.line("sum_failed", self.lang, problems="; ".join(r.problems))
        )


def play_day(
    url: str,
    api_key: str,
    *,
    pace: float = 1.0,
    lang: str = "en",
    say: Callable[[str], None] = print,
) -> DayReport:
    """Play the whole day against the server at ``url``; raises DayError on a refused step."""
    return Day(url, api_key, pace=pace, lang=lang, say=say).play()


__all__ = ["DayError", "DayReport", "play_day"]
