"""Item inbound profiles and putaway rules at the console, with the putaway preview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.console.conftest import Desk, counted_queries, flash_text
from tests.factories import Floor
from tests.inbound.dock import Dock
from wms.model import ItemInboundProfile, Role, Task, Warehouse

PROFILE = {
    "qc_required": "1",
    "lot_pattern": r"L\d{4}",
    "min_remaining_shelf_life_days": "90",
    "fixed_location": "A-01-03-1",
    "putaway_zone": "A",
}


def stored_chain(session, warehouse_id: int) -> list:
    session.expire_all()
    return session.get(Warehouse, warehouse_id).settings.get("putaway", {}).get("chain")


def listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/console/item-profiles/\d+[^"]*"><code>([^<]+)</code>', html)


def rules_form(*rules: tuple, **extra: str) -> dict[str, str]:
    """Rows (name, priority, enabled, {option: value}) as the rules page posts them."""
    data = {"default_mixed_lots": "1", "origin_x": "0", "origin_y": "0", **extra}
    for i, (name, position, enabled, options) in enumerate(rules):
        data[f"rules-{i}-name"] = name
        data[f"rules-{i}-position"] = str(position)
        if enabled:
            data[f"rules-{i}-enabled"] = "1"
        data.update({f"rules-{i}-opt-{k}": v for k, v in options.items()})
    return data


def test_an_operator_may_not_open_or_change_inbound_rules(app, people, floor, session):
    dock = Dock(floor)
    item_id = dock.floor.item("SKU-A").id
    otto_user = people.add("otto", Role.operator)
    otto = Desk(app, "otto")
    with otto.client.session_transaction() as sess:
        sess.update(user_id=otto_user.id, kind="console", csrf="t")

    urls = (
        "/console/item-profiles",
        f"/console/item-profiles/{item_id}",
        "/console/putaway-rules?try_sku=SKU-A&try_qty=1",
    )
    pages = [otto.get(url) for url in urls]
    profile = otto.post(f"/console/item-profiles/{item_id}", PROFILE)
    rules = otto.post("/console/putaway-rules", rules_form(("nearest_empty_location", 1, True, {})))

    assert [p.status_code for p in pages] == [403, 403, 403]
    assert profile.status_code == rules.status_code == 403
    assert session.scalar(select(func.count()).select_from(ItemInboundProfile)) == 0
    assert stored_chain(session, floor.warehouse_id) is None


def test_item_profiles_are_searched_and_paged_by_sku(supervisor, floor):
    Dock(floor)
    for n in range(55):
        floor.item(f"BULK-{n:03d}")

    first = supervisor.page("/console/item-profiles?q=BULK")
    after = re.search(r'href="([^"]*after=BULK-049[^"]*)" rel="next"', first)
    second = supervisor.page(after[1].replace("&amp;", "&"))
    by_name = supervisor.page("/console/item-profiles?q=SKU-L")

    assert listed(first) == [f"BULK-{n:03d}" for n in range(50)]
    assert listed(second) == [f"BULK-{n:03d}" for n in range(50, 55)]
    assert listed(by_name) == ["SKU-LOT"]


def test_a_page_of_profiles_costs_the_same_few_queries_however_many_are_set(
    supervisor, floor, engine
):
    dock = Dock(floor)
    fixed = dock.floor.location("A-01-02-1").id
    for n in range(50):
        dock.floor.item(f"BULK-{n:03d}")
    supervisor.page("/console/item-profiles?q=BULK")  # warm: sign-in and catalog loads
    with counted_queries(engine) as bare:
        supervisor.page("/console/item-profiles?q=BULK")
    for n in range(50):
        dock.item_rules(f"BULK-{n:03d}", fixed_location_id=fixed, lot_pattern="L.*")

    with counted_queries(engine) as profiled:
        html = supervisor.page("/console/item-profiles?q=BULK")

    assert html.count("<code>A-01-02-1</code>") == 50
    assert len(profiled) == len(bare) <= 6


def test_a_supervisor_sets_an_items_receiving_and_putaway_profile(supervisor, floor, session):
    dock = Dock(floor)
    item_id = dock.floor.item("SKU-A").id
    fixed_id = dock.floor.location("A-01-03-1").id

    saved = supervisor.post(f"/console/item-profiles/{item_id}", PROFILE)

    assert saved.status_code == 302
    profile = session.get(ItemInboundProfile, item_id)
    assert (profile.qc_required, profile.lot_pattern, profile.min_remaining_shelf_life_days) == (
        True,
        r"L\d{4}",
        90,
    )
    assert profile.fixed_location_id == fixed_id
    session.close()
    listing = supervisor.page("/console/item-profiles?only_set=1&lang=en")
    assert listed(listing) == ["SKU-A"] and "A-01-03-1" in listing and r"L\d{4}" in listing
    cleared = supervisor.post(f"/console/item-profiles/{item_id}", {"putaway_zone": ""})
    assert cleared.status_code == 302
    session.expire_all()
    profile = session.get(ItemInboundProfile, item_id)
    assert (profile.qc_required, profile.fixed_location_id, profile.putaway_zone_id) == (
        False,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lot_pattern", "L[0-9", "not a valid regular expression"),
        ("min_remaining_shelf_life_days", "-3", "a whole number is needed"),
        ("fixed_location", "A-99-99-9", "no such location in this warehouse"),
        ("fixed_location", "DOCK-01", "not a storage location"),
        ("fixed_location", "B-01-01-1", "location is blocked"),
        ("putaway_zone", "DOCK", "not a storage or pick-face zone"),
        ("putaway_zone", "NOPE", "no such zone in this warehouse"),
    ],
)
def test_a_bad_item_profile_is_explained_on_the_form_and_nothing_is_saved(
    supervisor, floor, session, field, value, message
):
    dock = Dock(floor)
    dock.floor.location("B-01-01-1", zone="B", blocked=True)
    item_id = dock.floor.item("SKU-A").id

    response = supervisor.post(
        f"/console/item-profiles/{item_id}?lang=en", {**PROFILE, field: value}
    )

    assert response.status_code == 422
    assert f'<small class="error" id="e-{field}">{message}</small>' in response.text
    assert f'value="{value}"' in response.text
    assert "Nothing was saved" in " ".join(flash_text(response.text))
    assert session.get(ItemInboundProfile, item_id) is None


def test_a_fixed_location_of_another_warehouse_is_refused(supervisor, floor, session):
    dock = Dock(floor)
    item_id = dock.floor.item("SKU-A").id
    Floor(floor.factory, "WH2").location("W2-01", zone="S2")

    response = supervisor.post(
        f"/console/item-profiles/{item_id}?lang=en", {"fixed_location": "W2-01"}
    )

    assert response.status_code == 422
    assert "no such location in this warehouse" in response.text
    assert session.get(ItemInboundProfile, item_id) is None


def test_a_place_set_from_another_warehouse_is_kept_until_replaced(
    supervisor, floor, session, people
):
    dock = Dock(floor)
    item_id = dock.floor.item("SKU-A").id
    a1_id = dock.floor.location("A-01-01-1").id
    wh2 = Floor(floor.factory, "WH2")
    w2_location = wh2.location("W2-01", zone="S2")
    people.add("sue", Role.supervisor, warehouses=("WH2",))
    sue = Desk(supervisor.client.application, "sue")
    assert sue.sign_in().status_code == 302
    assert (
        sue.post(f"/console/item-profiles/{item_id}", {"fixed_location": "W2-01"}).status_code
        == 302
    )

    page = supervisor.page(f"/console/item-profiles/{item_id}?lang=en")
    kept = supervisor.post(f"/console/item-profiles/{item_id}", {"qc_required": "1"})
    after_kept = session.get(ItemInboundProfile, item_id)
    kept_state = (after_kept.qc_required, after_kept.fixed_location_id)
    session.close()
    replaced = supervisor.post(f"/console/item-profiles/{item_id}", {"fixed_location": "A-01-01-1"})

    assert "The fixed location is in another warehouse:" in page
    assert 'name="fixed_location" type="text" value=""' in page
    assert kept.status_code == replaced.status_code == 302
    assert kept_state == (True, w2_location.id)
    assert session.get(ItemInboundProfile, item_id).fixed_location_id == a1_id


def test_a_supervisor_may_not_change_the_rules_of_a_warehouse_not_theirs(
    supervisor, floor, session
):
    Dock(floor)
    wh2_id = Floor(floor.factory, "WH2").warehouse_id

    response = supervisor.post(
        f"/console/putaway-rules?warehouse={wh2_id}",
        rules_form(("nearest_empty_location", 1, True, {})),
    )

    assert response.status_code == 403
    assert stored_chain(session, floor.warehouse_id) is None
    assert stored_chain(session, wh2_id) is None


def test_the_rules_page_shows_the_default_chain_in_priority_order(supervisor, floor):
    Dock(floor)

    page = supervisor.page("/console/putaway-rules?lang=en")

    shown = re.findall(r'<tr data-rule="([a-z_]+)"', page)
    assert shown == [
        "fixed_location",
        "add_to_existing_stock",
        "by_abc_class",
        "nearest_empty_location",
    ]
    assert "Rules in priority order" in page and 'name="rules-1-opt-same_lot"' in page


def test_a_supervisor_reorders_disables_and_sets_options_of_the_rules(supervisor, floor, session):
    Dock(floor)
    floor.zone("B")

    saved = supervisor.post(
        "/console/putaway-rules",
        rules_form(
            ("fixed_location", 3, False, {}),
            ("add_to_existing_stock", 2, True, {"same_lot": "1"}),
            ("nearest_empty_location", 1, True, {"zone": "B"}),
            ("by_abc_class", 4, True, {"classes": "a, b"}),
            **{"mix-shelf-items": "yes", "origin_x": "12.5"},
        ),
    )

    assert saved.status_code == 302
    assert stored_chain(session, floor.warehouse_id) == [
        {"name": "nearest_empty_location", "zone": "B"},
        {"name": "add_to_existing_stock", "same_lot": True},
        {"name": "fixed_location", "enabled": False},
        {"name": "by_abc_class", "classes": ["A", "B"]},
    ]
    putaway = session.get(Warehouse, floor.warehouse_id).settings["putaway"]
    assert putaway["mix_rules"] == {"shelf": {"mixed_items": True, "mixed_lots": True}}
    assert putaway["origin"] == ["12.5", "0"]
    page = supervisor.page("/console/putaway-rules")
    assert re.findall(r'<tr data-rule="([a-z_]+)"', page)[:2] == [
        "nearest_empty_location",
        "add_to_existing_stock",
    ]


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        ((("teleport", 1, True, {}),), "rules-0-name", "unknown putaway rule"),
        ((("fixed_location", 1, False, {}),), "rules", "at least one rule must be enabled"),
        (
            (
                ("fixed_location", 1, True, {}),
                ("nearest_empty_location", 2, True, {"zone": "DOCK"}),
            ),
            "rules-1-opt-zone",
            "not a storage or pick-face zone",
        ),
        (
            (("by_abc_class", 1, True, {"classes": "A, AA"}),),
            "rules-0-opt-classes",
            "ABC classes are single letters A-Z, each once",
        ),
        ((("fixed_location", "first", True, {}),), "rules-0-position", "a whole number is needed"),
    ],
)
def test_bad_putaway_rules_are_refused_and_the_stored_chain_stays(
    supervisor, floor, session, rules, field, message
):
    Dock(floor)
    before = supervisor.post(
        "/console/putaway-rules", rules_form(("nearest_empty_location", 1, True, {}))
    )
    assert before.status_code == 302

    response = supervisor.post("/console/putaway-rules?lang=en", rules_form(*rules))

    assert response.status_code == 422
    assert message in response.text
    assert "Nothing was saved" in " ".join(flash_text(response.text))
    assert stored_chain(session, floor.warehouse_id) == ["nearest_empty_location"]


def test_the_preview_shows_the_pda_suggestion_and_creates_nothing(supervisor, floor, session):
    dock = Dock(floor)
    dock.item_rules("SKU-A", fixed_location_id=dock.floor.location("A-01-03-1").id)

    fixed = supervisor.page("/console/putaway-rules?lang=en&try_sku=SKU-A&try_qty=10")
    nearest = supervisor.page("/console/putaway-rules?lang=zh_Hans_CN&try_sku=SKU-X&try_qty=1")

    assert '<code class="suggested">A-01-03-1</code>' in fixed
    assert "Fixed location of the item: A-01-03-1" in fixed
    assert '<code class="suggested">A-01-01-1</code>' in nearest
    assert "any 区最近的空库位" in nearest
    assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_the_preview_explains_a_bad_item_or_quantity(supervisor, floor):
    Dock(floor)

    unknown = supervisor.get("/console/putaway-rules?lang=en&try_sku=SKU-NOPE&try_qty=1")
    zero = supervisor.get("/console/putaway-rules?lang=en&try_sku=SKU-A&try_qty=0")

    assert unknown.status_code == zero.status_code == 422
    assert '<small class="error" id="e-try_sku">unknown item</small>' in unknown.text
    assert '<small class="error" id="e-try_qty">must be above zero</small>' in zero.text
    assert 'id="putaway-preview"' not in unknown.text + zero.text


def test_the_preview_says_when_nothing_fits_and_which_rules_were_tried(supervisor, floor):
    dock = Dock(floor)
    for code in ("A-01-01-1", "A-01-02-1", "A-01-03-1"):
        dock.floor.stock("SKU-X", code, 1, container=f"LPN-{code}")

    page = supervisor.page("/console/putaway-rules?lang=en&try_sku=SKU-A&try_qty=5")

    assert "No location fits: ask a supervisor" in page
    assert "nearest_empty_location: no_empty_location_in_zone" in page


def test_every_inbound_rules_text_has_a_chinese_translation():
    root = Path(__file__).resolve().parents[2] / "wms"
    texts = set()
    for name in ("item_profiles", "item_profile", "putaway_rules"):
        template = root / f"web/templates/console/inbound/{name}.html"
        texts |= set(re.findall(r"_\('([^']+)'\)", template.read_text(encoding="utf-8")))
    for module in (
        "web/console/inbound_rules.py",
        "services/item_profiles.py",
        "services/putaway_rules.py",
    ):
        code = (root / module).read_text(encoding="utf-8")
        texts |= set(re.findall(r'gettext\("([^"]+)"\)', code))
        texts |= set(re.findall(r'FieldError\([^,]+, "([^"]+)"', code))
    texts |= {
        "Item profiles",
        "Putaway rules",
        "no such location in this warehouse",
        "not a storage location",
        "location is blocked",
    }
    catalog = (root / "translations/zh_Hans_CN/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    translated = set(re.findall(r'^msgid "(.+)"\nmsgstr "(?:.+)"$', catalog, re.M))

    assert len(texts) > 50
    assert sorted(texts - translated) == []


def test_the_rules_pages_speak_chinese(supervisor, floor):
    dock = Dock(floor)
    item_id = dock.floor.item("SKU-A").id

    rules = supervisor.page("/console/putaway-rules?lang=zh_Hans_CN")
    bad = supervisor.post(
        f"/console/item-profiles/{item_id}?lang=zh_Hans_CN", {"lot_pattern": "(("}
    )

    assert "上架规则" in rules and "按优先级" in rules
    assert bad.status_code == 422 and "不是有效的正则表达式" in bad.text
