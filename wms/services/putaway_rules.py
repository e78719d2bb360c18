"""A warehouse's putaway configuration: read, check against the strategy registry, save, try.

It lives in ``warehouse.settings["putaway"]``, where ``putaway_floor``
reads it for every plan:

``chain``        rules in priority order: a name, or ``{"name": ..., <options>}``;
                 ``"enabled": false`` keeps a rule in its place without using it
``mix_rules``    per location type ``{"mixed_items": bool, "mixed_lots": bool}``
``default_mix``  the same for location types without their own
``origin``       ``[x, y]``, where distances are measured from

The options a rule takes are read from its class in the registry (the
keyword arguments of its constructor), so a new rule needs no change here.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms import strategies
from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import Item, LocationType, User, Warehouse, Zone
from wms.services.access import audit
from wms.services.putaway import unit_of
from wms.services.putaway_floor import DEFAULT_CHAIN, PUTAWAY_ZONES, load_floor
from wms.strategies.putaway import MixRule, Suggestion
from wms.strategies.registry import STRATEGIES

#: Location types a mixing rule may be set for (virtual locations hold no stock).
MIX_TYPES = tuple(t.value for t in LocationType if t is not LocationType.virtual)
_ABC_CLASS = re.compile(r"[A-Z]")


@dataclass(frozen=True)
class OptionSpec:
    """One option of a rule: ``flag`` (yes/no), ``list`` (comma-separated) or ``text``."""

    name: str
    kind: str
    default: Any


@dataclass(frozen=True)
class RuleRow:
    name: str
    enabled: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PutawayConfig:
    rules: Sequence[RuleRow]
    mix_rules: Mapping[str, MixRule] = field(default_factory=dict)
    default_mix: MixRule = field(default_factory=MixRule)
    origin: tuple[Decimal, Decimal] = (Decimal(0), Decimal(0))


def rule_names() -> list[str]:
    return strategies.names("putaway")


def rule_options(name: str) -> list[OptionSpec]:
    """The options of the rule called ``name``, from its constructor; [] for an unknown name."""
    cls = STRATEGIES["putaway"].get(name)
    if cls is None:
        return []
    specs = []
    for param in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        default = param.default
        if isinstance(default, bool):
            kind = "flag"
        elif isinstance(default, tuple | list):
            kind = "list"
        else:
            kind = "text"
        specs.append(OptionSpec(param.name, kind, default))
    return specs


def read_config(warehouse: Warehouse) -> PutawayConfig:
    """The stored configuration, or the defaults ``putaway_floor`` uses when nothing is set."""
    cfg = (warehouse.settings or {}).get("putaway", {})
    rules = []
    for entry in cfg.get("chain", DEFAULT_CHAIN):
        if isinstance(entry, str):
            rules.append(RuleRow(entry))
        else:
            options = {k: v for k, v in entry.items() if k not in ("name", "enabled")}
            enabled = entry.get("enabled", True) is not False
            rules.append(RuleRow(str(entry.get("name", "")), enabled, options))
    x, y = (Decimal(str(v)) for v in cfg.get("origin", (0, 0)))
    return PutawayConfig(
        rules=rules,
        mix_rules={k: MixRule(**v) for k, v in cfg.get("mix_rules", {}).items()},
        default_mix=MixRule(**cfg.get("default_mix", {})),
        origin=(x, y),
    )


def config_errors(session: Session, warehouse_id: int, config: PutawayConfig) -> list[FieldError]:
    """Every problem of ``config``: unknown rules or options, zones, classes, no rule enabled."""
    zones = set(
        session.scalars(
            select(Zone.code).where(Zone.warehouse_id == warehouse_id, Zone.kind.in_(PUTAWAY_ZONES))
        )
    )
    errors = []
    for i, rule in enumerate(config.rules):
        if rule.name not in rule_names():
            errors.append(FieldError(f"rules-{i}-name", "unknown putaway rule", "unknown_strategy"))
            continue
        specs = {s.name: s for s in rule_options(rule.name)}
        for option, value in rule.options.items():
            where = f"rules-{i}-opt-{option}"
            if option not in specs:
                errors.append(FieldError(where, "this rule has no such option"))
            elif option == "zone" and value and value not in zones:
                errors.append(FieldError(where, "not a storage or pick-face zone"))
            elif option == "classes" and not _abc_classes_ok(value):
                errors.append(FieldError(where, "ABC classes are single letters A-Z, each once"))
    if not any(rule.enabled for rule in config.rules):
        errors.append(FieldError("rules", "at least one rule must be enabled"))
    unknown_types = set(config.mix_rules) - set(MIX_TYPES)
    errors += [FieldError(f"mix-{t}", "unknown location type") for t in sorted(unknown_types)]
    return errors


def _abc_classes_ok(value: Any) -> bool:
    classes = list(value) if isinstance(value, list | tuple) else []
    return (
        bool(classes)
        and len(set(classes)) == len(classes)
        and all(isinstance(c, str) and _ABC_CLASS.fullmatch(c) for c in classes)
    )


def save_config(
    session: Session,
    warehouse_id: int,
    config: PutawayConfig,
    *,
    actor: User | None = None,
    **ctx: object,
) -> Warehouse:
    """Check ``config`` and store it where putaway reads it; other settings stay as they are."""
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"no warehouse {warehouse_id}")
    errors = config_errors(session, warehouse_id, config)
    if errors:
        raise ValidationFailed(errors)
    stored = as_settings(config)
    settings = dict(warehouse.settings or {})
    settings["putaway"] = {**settings.get("putaway", {}), **stored}
    warehouse.settings = settings  # a new dict: the JSON column sees the change
    session.flush()
    audit(
        session,
        action="warehouse.putaway_rules_saved",
        actor=actor,
        target=warehouse.code,
        chain=stored["chain"],
        **ctx,
    )
    return warehouse


def as_settings(config: PutawayConfig) -> dict[str, Any]:
    """``config`` as stored in ``settings["putaway"]``: only what differs from the defaults."""
    chain: list[Any] = []
    for rule in config.rules:
        defaults = {s.name: _plain(s.default) for s in rule_options(rule.name)}
        options = {k: _plain(v) for k, v in rule.options.items() if _plain(v) != defaults.get(k)}
        if rule.enabled and not options:
            chain.append(rule.name)
        else:
            chain.append(
                {"name": rule.name, **({} if rule.enabled else {"enabled": False}), **options}
            )
    return {
        "chain": chain,
        "mix_rules": {t: _mix(m) for t, m in sorted(config.mix_rules.items())},
        "default_mix": _mix(config.default_mix),
        "origin": [str(config.origin[0]), str(config.origin[1])],
    }


def _plain(value: Any) -> Any:
    """JSON's form of an option value: a tuple default is stored as a list."""
    return list(value) if isinstance(value, tuple) else value


def _mix(rule: MixRule) -> dict[str, bool]:
    return {"mixed_items": rule.mixed_items, "mixed_lots": rule.mixed_lots}


@dataclass(frozen=True)
class Preview:
    """Where the warehouse's chain would send this stock now, and why (nothing is written)."""

    suggestion: Suggestion
    item: Item


def preview_putaway(
    session: Session,
    warehouse_id: int,
    *,
    sku: str,
    qty: Decimal,
    lot: str | None = None,
    containers: int = 1,
) -> Preview:
    """The suggestion a putaway task for ``qty`` of ``sku`` would get, computed by the real
    chain over the current floor. Read-only: no task is created, nothing is recorded."""
    item = session.scalar(select(Item).where(Item.sku == sku))
    if item is None:
        raise ValidationFailed([FieldError("try_sku", "unknown item", "unknown_item")])
    floor = load_floor(session, warehouse_id)
    unit = unit_of(session, item, qty, lot, containers)
    return Preview(floor.chain.suggest(unit, floor.index), item)
