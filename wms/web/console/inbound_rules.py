"""Inbound rules at the console: item inbound profiles, and the warehouse's putaway rules
with a read-only preview of where the real chain sends an item now."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from sqlalchemy.orm import Session

from wms.errors import FieldError, ValidationFailed
from wms.messages import translate
from wms.model import Item, Warehouse
from wms.queries.directory import inbound_profiles, search_item_profiles
from wms.services import item_profiles, putaway_rules
from wms.services.putaway_rules import MIX_TYPES, PutawayConfig, RuleRow
from wms.strategies.putaway import MixRule
from wms.web.console.common import (
    Form,
    actor,
    attempt,
    audit_ctx,
    chosen_warehouse,
    console_page,
    me,
    warehouses_for,
)
from wms.web.context import read_session

MAX_RULES = 30
MIX_CHOICES = ("", "yes", "no")


def _warehouse() -> Warehouse:
    """The chosen warehouse; a change aimed at one the user does not manage is refused."""
    asked = request.args.get("warehouse")
    warehouse = chosen_warehouse(me(), asked)
    if warehouse is None or (request.method == "POST" and asked and asked != str(warehouse.id)):
        abort(403, gettext("You do not work in this warehouse."))
    return warehouse


# Item inbound profiles ------------------------------------------------------


@console_page
def item_profiles_list() -> Any:
    warehouse = _warehouse()
    q, only_set = request.args.get("q", ""), request.args.get("only_set") == "1"
    page = search_item_profiles(
        read_session(),
        q=q,
        only_set=only_set,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    profiles = inbound_profiles(read_session(), [it.id for it in page.rows])
    args = {k: v for k, v in (("q", q), ("only_set", "1" if only_set else "")) if v}
    return render_template(
        "console/inbound/item_profiles.html",
        page=page,
        q=q,
        only_set=only_set,
        profiles=profiles,
        warehouse=warehouse,
        args=args,
    )


def _read_profile(form: Form) -> item_profiles.ItemProfileForm:
    return item_profiles.ItemProfileForm(
        qc_required=form.flag("qc_required"),
        lot_pattern=form.optional("lot_pattern", max_len=item_profiles.LOT_PATTERN_MAX),
        min_remaining_shelf_life_days=form.integer("min_remaining_shelf_life_days"),
        fixed_location=form.optional("fixed_location", max_len=64),
        putaway_zone=form.optional("putaway_zone", max_len=64),
    )


@console_page
def item_profile(item_id: int) -> Any:
    warehouse = _warehouse()
    item = read_session().get(Item, item_id)
    if item is None:
        abort(404)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = Form()

        def work(db: Session) -> int:
            data = _read_profile(form)
            form.errors += item_profiles.item_profile_errors(db, data, warehouse_id=warehouse.id)
            form.check()
            item_profiles.save_item_profile(
                db, item_id, data, warehouse_id=warehouse.id, actor=actor(db), **audit_ctx()
            )
            return item_id

        outcome = attempt(work)
        if outcome.ok:
            flash(gettext("Inbound profile saved."), "success")
            return redirect(
                url_for("console.item_profile", item_id=item_id, warehouse=warehouse.id)
            )
        errors, status = outcome.errors, 422
    row = inbound_profiles(read_session(), [item_id]).get(item_id)
    return render_template(
        "console/inbound/item_profile.html",
        item=item,
        row=row,
        warehouse=warehouse,
        errors=errors,
        form=request.form if request.method == "POST" else {},
    ), status


# Putaway rules --------------------------------------------------------------


def _read_rules(form: Form) -> list[tuple[int, int, RuleRow]]:
    """(form row, priority, rule) for every submitted rule that is not removed."""
    rows = []
    for i in range(MAX_RULES):
        if f"rules-{i}-name" not in form.data:
            break
        name = form.text(f"rules-{i}-name", max_len=64)
        if not name or form.flag(f"rules-{i}-remove"):
            continue
        position = form.integer(f"rules-{i}-position", minimum=1)
        options: dict[str, Any] = {}
        for spec in putaway_rules.rule_options(name):
            key = f"rules-{i}-opt-{spec.name}"
            if spec.kind == "flag":
                options[spec.name] = form.flag(key)
            elif spec.kind == "list":
                raw = form.text(key, max_len=64)
                parts = [p.strip().upper() for p in raw.split(",") if p.strip()]
                options[spec.name] = parts or list(spec.default)
            else:
                options[spec.name] = form.optional(key, max_len=64)
        rows.append(
            (i, position or MAX_RULES + i, RuleRow(name, form.flag(f"rules-{i}-enabled"), options))
        )
    return rows


def _read_mix(form: Form) -> tuple[dict[str, MixRule], MixRule]:
    default = MixRule(form.flag("default_mixed_items"), form.flag("default_mixed_lots"))
    mix = {}
    for location_type in MIX_TYPES:
        items = form.text(f"mix-{location_type}-items", max_len=3)
        lots = form.text(f"mix-{location_type}-lots", max_len=3)
        for name, value in (
            (f"mix-{location_type}-items", items),
            (f"mix-{location_type}-lots", lots),
        ):
            if value not in MIX_CHOICES:
                form.errors.append(FieldError(name, "choose yes, no or the default"))
        if items or lots:
            mix[location_type] = MixRule(
                items == "yes" if items else default.mixed_items,
                lots == "yes" if lots else default.mixed_lots,
            )
    return mix, default


def _renamed(errors: list[FieldError], form_rows: list[int]) -> list[FieldError]:
    """Errors of the k-th rule of the config under the name of its row in the form."""
    out = []
    for e in errors:
        head, _, rest = e.field.partition("-")
        if head == "rules" and rest:
            k, _, tail = rest.partition("-")
            e = FieldError(f"rules-{form_rows[int(k)]}-{tail}", e.message, e.code)
        out.append(e)
    return out


def _save_rules(form: Form, warehouse: Warehouse) -> Any:
    def work(db: Session) -> int:
        rows = _read_rules(form)
        mix, default = _read_mix(form)
        x = form.decimal("origin_x", positive=False) or Decimal(0)
        y = form.decimal("origin_y", positive=False) or Decimal(0)
        as_entered = PutawayConfig([r for _, _, r in rows], mix, default, (x, y))
        form.errors += _renamed(
            putaway_rules.config_errors(db, warehouse.id, as_entered), [i for i, _, _ in rows]
        )
        form.check()
        by_priority = [r for _, _, r in sorted(rows, key=lambda row: (row[1], row[0]))]
        config = PutawayConfig(by_priority, mix, default, (x, y))
        putaway_rules.save_config(db, warehouse.id, config, actor=actor(db), **audit_ctx())
        return warehouse.id

    return attempt(work)


def _preview(warehouse: Warehouse) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The suggestion for the item and quantity in the query, or the problems with them."""
    if "try_sku" not in request.args:
        return None, {}
    form = Form(request.args)
    sku = form.text("try_sku", required=True, max_len=64)
    qty = form.decimal("try_qty")
    if qty is None and not form.text("try_qty"):
        form.errors.append(FieldError("try_qty", "required"))
    lot = form.optional("try_lot", max_len=64)
    try:
        form.check()
        assert qty is not None
        found = putaway_rules.preview_putaway(
            read_session(),
            warehouse.id,
            sku=sku,
            qty=qty,
            lot=lot,
            containers=0 if form.flag("try_loose") else 1,
        )
    except ValidationFailed as exc:
        return None, {e.field: gettext(e.message) for e in exc.errors}
    suggestion = found.suggestion
    return {
        "item": found.item,
        "location": suggestion.location,
        "reason": suggestion.reason,
        "why": translate(suggestion.reason, str(get_locale()), **suggestion.params),
        "tried": suggestion.params.get("tried", ""),
    }, {}


def _view_rows(rows: list[tuple[int, int, RuleRow]]) -> list[dict[str, Any]]:
    """The rows of the rules table: form row number, priority, rule, its options as text."""
    return [
        {
            "index": i,
            "position": position,
            "name": r.name,
            "known": r.name in putaway_rules.rule_names(),
            "enabled": r.enabled,
            "specs": putaway_rules.rule_options(r.name),
            "options": {
                k: ", ".join(v) if isinstance(v, list | tuple) else v for k, v in r.options.items()
            },
        }
        for i, position, r in rows
    ]


def _stored_rows(config: PutawayConfig) -> list[tuple[int, int, RuleRow]]:
    """The stored chain in priority order, then every other registered rule, disabled."""
    rules = list(config.rules)
    present = {r.name for r in rules}
    rules += [RuleRow(name, False) for name in putaway_rules.rule_names() if name not in present]
    return [(i, i + 1, r) for i, r in enumerate(rules)]


@console_page
def putaway_rules_page() -> Any:
    warehouse = _warehouse()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        outcome = _save_rules(Form(), warehouse)
        if outcome.ok:
            flash(gettext("Putaway rules saved."), "success")
            return redirect(url_for("console.putaway_rules", warehouse=warehouse.id))
        errors, status = outcome.errors, 422
    preview, preview_errors = _preview(warehouse)
    if preview_errors:
        status = 422
    config = putaway_rules.read_config(read_session().get(Warehouse, warehouse.id) or warehouse)
    rows = _read_rules(Form()) if request.method == "POST" else _stored_rows(config)
    return render_template(
        "console/inbound/putaway_rules.html",
        warehouse=warehouse,
        warehouses=warehouses_for(me()),
        rows=_view_rows(rows),
        config=config,
        new_index=max((i for i, _, _ in rows), default=-1) + 1,
        rule_names=putaway_rules.rule_names(),
        mix_types=MIX_TYPES,
        errors=errors,
        form=request.form if request.method == "POST" else {},
        preview=preview,
        preview_errors=preview_errors,
        args=request.args,
    ), status


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/item-profiles", "item_profiles", item_profiles_list)
    bp.add_url_rule(
        "/item-profiles/<int:item_id>", "item_profile", item_profile, methods=["GET", "POST"]
    )
    bp.add_url_rule("/putaway-rules", "putaway_rules", putaway_rules_page, methods=["GET", "POST"])
