"""Items at the console: units with exact factors, barcodes checked by their GTIN check digit."""

from decimal import Decimal

from sqlalchemy import func, select

from wms.model import Item, ItemBarcode


def item_form(**fields) -> dict:
    form = {"sku": "TEA-100", "name": "Green tea 100 g", "base_uom": "each", "tracking": "lot",
            "shelf_life_days": "365", "weight_kg": "0.105", "active": "1",
            "units-0-uom": "case", "units-0-factor": "24", "units-1-uom": "", "units-1-factor": "",
            "barcodes-0-barcode": "6901234567892", "barcodes-0-uom": "each",
            "barcodes-1-barcode": "", "barcodes-1-uom": ""}
    form.update(fields)
    return form


def test_a_supervisor_creates_an_item_with_a_case_and_an_ean(supervisor, session):
    response = supervisor.post("/console/items/new", item_form())

    assert response.status_code == 302
    tea = session.scalar(select(Item).where(Item.sku == "TEA-100"))
    assert tea.factor("case") == Decimal(24) and tea.tracking.value == "lot"
    assert tea.weight_kg == Decimal("0.105") and tea.shelf_life_days == 365
    assert [(b.barcode, b.uom) for b in tea.barcodes] == [("6901234567892", "each")]
    assert "6901234567892" in supervisor.page("/console/items?q=TEA")


def test_a_mistyped_ean_is_refused_and_nothing_is_written(supervisor, session):
    response = supervisor.post("/console/items/new?lang=en",
                               item_form(**{"barcodes-0-barcode": "6901234567893"}))

    assert response.status_code == 422
    assert "wrong GTIN check digit" in response.text
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_a_factor_must_be_exact_and_positive(supervisor, session):
    noisy = supervisor.post("/console/items/new?lang=en",
                            item_form(**{"units-0-factor": "0.1234567"}))
    zero = supervisor.post("/console/items/new?lang=en", item_form(**{"units-0-factor": "0"}))

    assert noisy.status_code == zero.status_code == 422
    assert "not an exact number" in noisy.text and "must be above zero" in zero.text
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_a_barcode_for_an_unknown_unit_is_refused(supervisor, session):
    response = supervisor.post("/console/items/new?lang=en",
                               item_form(**{"barcodes-0-uom": "pallet"}))

    assert response.status_code == 422
    assert "not a unit of this item" in response.text


def test_editing_an_item_replaces_units_and_barcodes(supervisor, floor, session):
    tea = floor.item("TEA-100", units={"case": 24}, barcodes=[("6901234567892", "each")])

    response = supervisor.post(f"/console/items/{tea.id}", item_form(**{
        "units-0-uom": "inner", "units-0-factor": "6", "units-1-uom": "case",
        "units-1-factor": "24", "barcodes-0-barcode": "16901234567899",
        "barcodes-0-uom": "case"}))

    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Item, tea.id)
    assert sorted((u.uom, u.factor) for u in saved.units) == [
        ("case", Decimal(24)), ("inner", Decimal(6))]
    assert [b.barcode for b in saved.barcodes] == ["16901234567899"]
    assert session.scalar(select(func.count()).select_from(ItemBarcode)) == 1


def test_a_barcode_of_another_item_is_refused(supervisor, floor):
    floor.item("RICE-5KG", barcodes=[("6901234567892", "each")])

    response = supervisor.post("/console/items/new?lang=en", item_form())

    assert response.status_code == 422
    assert "already in use" in response.text


def test_the_base_unit_stays_once_stock_has_moved(supervisor, floor):
    floor.stock("TEA-100", "A-01-1", 5)
    tea = floor.item("TEA-100")

    response = supervisor.post(f"/console/items/{tea.id}?lang=en",
                               item_form(base_uom="gram", **{"barcodes-0-uom": "gram"}))

    assert response.status_code == 422
    assert "the base unit cannot change" in response.text
    assert floor.item("TEA-100").base_uom == "each"
