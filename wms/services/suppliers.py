"""Suppliers at the console: the partner and its receiving profile (tolerances, QC)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import FieldError, NotFound, ValidationFailed
from wms.model import Partner, PartnerKind, SupplierProfile, User
from wms.services.access import audit

HUNDRED = Decimal(100)
SUPPLIER_KINDS = (PartnerKind.supplier, PartnerKind.both)


@dataclass(frozen=True)
class SupplierForm:
    code: str
    name: str
    active: bool = True
    over_tolerance_pct: Decimal = Decimal(0)
    under_tolerance_pct: Decimal = Decimal(0)
    qc_required: bool = False
    qc_sample_pct: Decimal = Decimal(10)


def supplier_errors(
    session: Session, form: SupplierForm, partner_id: int | None
) -> list[FieldError]:
    """Every problem of ``form``, so a form can show them with its own."""
    errors = []
    if not form.code:
        errors.append(FieldError("code", "required"))
    if not form.name:
        errors.append(FieldError("name", "required"))
    for name in ("over_tolerance_pct", "under_tolerance_pct", "qc_sample_pct"):
        value: Decimal = getattr(form, name)
        if value < 0 or value > HUNDRED:
            errors.append(FieldError(name, "must be between 0 and 100"))
    if form.qc_required and form.qc_sample_pct == 0:
        errors.append(FieldError("qc_sample_pct", "must be above zero"))
    if form.code:
        owner = session.scalar(select(Partner.id).where(Partner.code == form.code))
        if owner is not None and owner != partner_id:
            errors.append(FieldError("code", f"partner {form.code} already exists", "duplicate"))
    return errors


def save_supplier(
    session: Session,
    form: SupplierForm,
    *,
    partner_id: int | None = None,
    actor: User | None = None,
    **ctx: object,
) -> Partner:
    """Create or change a supplier and its profile; every problem is raised at once.

    The change is written to the audit log with the rules as saved."""
    errors = supplier_errors(session, form, partner_id)
    if errors:
        raise ValidationFailed(errors)
    if partner_id is None:
        partner = Partner(code=form.code, name=form.name, kind=PartnerKind.supplier, settings={})
        session.add(partner)
        session.flush()
    else:
        found = session.get(Partner, partner_id)
        if found is None or found.kind not in SUPPLIER_KINDS:
            raise NotFound(f"no supplier {partner_id}")
        partner = found
        partner.code, partner.name = form.code, form.name
    partner.active = form.active
    profile = session.get(SupplierProfile, partner.id)
    if profile is None:
        profile = SupplierProfile(partner_id=partner.id)
        session.add(profile)
    profile.over_tolerance_pct = form.over_tolerance_pct
    profile.under_tolerance_pct = form.under_tolerance_pct
    profile.qc_required = form.qc_required
    profile.qc_sample_pct = form.qc_sample_pct
    session.flush()
    audit(
        session,
        action="supplier.saved",
        actor=actor,
        target=partner.code,
        active=form.active,
        over_tolerance_pct=str(form.over_tolerance_pct),
        under_tolerance_pct=str(form.under_tolerance_pct),
        qc_required=form.qc_required,
        qc_sample_pct=str(form.qc_sample_pct),
        **ctx,
    )
    return partner


def suppliers(session: Session) -> list[tuple[Partner, SupplierProfile | None]]:
    """Every supplier with its profile (None when it has none yet), by code."""
    rows = session.execute(
        select(Partner, SupplierProfile)
        .outerjoin(SupplierProfile, SupplierProfile.partner_id == Partner.id)
        .where(Partner.kind.in_(SUPPLIER_KINDS))
        .order_by(Partner.code)
    )
    return [(p, sp) for p, sp in rows]
