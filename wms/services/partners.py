"""Upserting suppliers and customers by code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import FieldError, ValidationFailed
from wms.model import Partner, PartnerKind
from wms.services.upserts import Upserted, assign


@dataclass(frozen=True)
class PartnerSpec:
    code: str
    name: str
    kind: PartnerKind
    active: bool = True


def upsert_partners(session: Session, specs: Sequence[PartnerSpec]) -> list[Upserted[Partner]]:
    """Create or update each partner by code; all or nothing."""
    errors, seen = [], {}
    for i, spec in enumerate(specs):
        if spec.code in seen:
            errors.append(
                FieldError(
                    f"items[{i}].code",
                    f"partner {spec.code} is also item {seen[spec.code]} of this request",
                    "duplicate",
                )
            )
        seen.setdefault(spec.code, i)
    if errors:
        raise ValidationFailed(errors)
    existing = {
        p.code: p
        for p in session.scalars(select(Partner).where(Partner.code.in_([s.code for s in specs])))
    }
    out = []
    for spec in specs:
        partner = existing.get(spec.code)
        created = partner is None
        if partner is None:
            partner = Partner(code=spec.code, name=spec.name, kind=spec.kind, settings={})
            session.add(partner)
        changed = assign(partner, {"name": spec.name, "kind": spec.kind, "active": spec.active})
        out.append(
            Upserted(
                spec.code, partner, "created" if created else "updated" if changed else "unchanged"
            )
        )
    session.flush()
    return out
