"""Ship at the dock: scan the dock door, scan every package loaded, confirm.

::

    scan_dock ──dock location──► scan_package ──closed package of a packed order──► scan_package
                                     │  F1 back: another dock           (listed, nothing moves)
                                     ▼ F5 ship (at least one package)
                                   done: each package's stock leaves to the customer;
                                         an order ships (webhook) with its last package

A location that is not a dock, an unknown or unready package, or a package
scanned twice is refused and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from wms.errors import WmsError
from wms.flows.base import Flow, Message, Screen
from wms.flows.scans import Scan
from wms.model import LocationType, SalesOrder
from wms.services import shipping


class S(StrEnum):
    scan_dock = "scan_dock"
    scan_package = "scan_package"
    done = "done"


class ExpectedDock(WmsError):
    code = "expected_dock"
    http_status = 422


class PackageAlreadyLoaded(WmsError):
    code = "package_already_loaded"
    http_status = 422


class NothingLoaded(WmsError):
    code = "nothing_loaded"
    http_status = 422


class ShipFlow(Flow):
    name = "ship"
    title = "ship.title"
    initial = S.scan_dock
    TRANSITIONS = {
        S.scan_dock: frozenset({S.scan_package}),
        S.scan_package: frozenset({S.scan_package, S.scan_dock, S.done}),
        S.done: frozenset(),
    }
    BACK = {S.scan_package: S.scan_dock}

    def screen(self, state: str) -> Screen:
        d = self.data
        if state == S.scan_dock:
            return Screen(S.scan_dock, "ship.scan_dock", {}, "location")
        fields = (("field.dock", d["dock"]), ("field.loaded", str(len(d["packages"]))))
        if d.get("last"):
            fields += (("field.package", d["last"]), ("field.order", d["order"]))
        if state == S.done:
            return Screen(
                S.done,
                "ship.done",
                {"n": len(d["packages"]), "dock": d["dock"]},
                None,
                fields,
                done=True,
            )
        return Screen(
            S.scan_package,
            "ship.scan_package",
            {"n": len(d["packages"])},
            "container",
            fields,
            actions=("back", "ship"),
        )

    def forget_on_back(self, target: StrEnum) -> tuple[str, ...]:
        return ("dock", "dock_id", "packages", "last", "order")

    def on_scan_dock(self, scan: Scan) -> Screen:
        loc = scan.location
        if loc is None or loc.type is not LocationType.dock:
            raise ExpectedDock(scanned=scan.raw)
        self.data.update(dock=loc.code, dock_id=loc.id, packages=[])
        self.ctx.here_location_id = loc.id
        return self.screen(S.scan_package)

    def on_scan_package(self, scan: Scan) -> Screen:
        d = self.data
        package = shipping.ready_package(self.session, scan.raw.strip())
        if package.code in d["packages"]:
            raise PackageAlreadyLoaded(package=package.code)
        order = self.session.get(SalesOrder, package.order_id)
        assert order is not None
        d["packages"] = [*d["packages"], package.code]
        d.update(last=package.code, order=order.external_id)
        return self.screen(S.scan_package)

    def act_ship(self) -> Screen:
        d = self.data
        if not d["packages"]:
            raise NothingLoaded()
        for code in d["packages"]:
            shipping.ship_package(
                self.session,
                code,
                dock_location_id=d["dock_id"],
                user_id=self.ctx.user.id,
                request_id=self.ctx.request_id,
            )
        return replace(
            self.screen(S.done),
            message=Message("ship.shipped", "success", {"n": len(d["packages"])}),
        )
