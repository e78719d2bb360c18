"""Users at the console: an admin creates them and changes what they may do, all audited."""

from sqlalchemy import func, select

from tests.console.conftest import flash_text
from wms.model import Role, User
from wms.services.access import badge_digest, verify_secret


def user_count(session_factory) -> int:
    """Read in a short transaction of its own, so it never holds a lock the console needs."""
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_an_admin_creates_a_picker_with_a_pin_and_a_badge(admin, people, floor):
    wh = floor.warehouse()

    response = admin.post("/console/users/new", {
        "username": "li.na", "display_name": "Li Na", "role": "operator", "pin": "4321",
        "badge": "EMP-0042", "skills": ["picking", "packing"], "warehouses": [str(wh.id)],
        "locale": "zh_CN"})

    assert response.status_code == 302
    li = people.get("li.na")
    assert (li.role, li.skills, [w.code for w in li.warehouses]) == (
        Role.operator, ["packing", "picking"], ["WH1"])
    assert verify_secret(li.pin_hash, "4321") and li.badge_hash == badge_digest("EMP-0042")
    assert people.audit("user.created")[0].details["skills"] == ["packing", "picking"]


def test_a_bad_user_form_names_every_problem_and_creates_nobody(admin, session_factory):
    before = user_count(session_factory)

    response = admin.post("/console/users/new?lang=en", {
        "username": "bad name", "display_name": "", "role": "supervisor", "pin": "12"})

    assert response.status_code == 422
    assert "Nothing was saved" in flash_text(response.text)[0]
    for message in ("required", "a PIN is 4 to 8 digits"):
        assert message in response.text
    assert user_count(session_factory) == before


def test_a_taken_username_is_refused(admin, session_factory):
    before = user_count(session_factory)

    response = admin.post("/console/users/new?lang=en", {
        "username": "ada", "display_name": "Another Ada", "role": "operator"})

    assert response.status_code == 422
    assert "already in use" in response.text
    assert user_count(session_factory) == before


def test_promoting_and_reskilling_writes_one_audit_entry_per_change(admin, people, floor):
    olga = people.add("olga", Role.operator, skills=["picking"])
    wh2 = floor.warehouse("WH2")

    admin.post(f"/console/users/{olga.id}", {
        "display_name": "Olga", "role": "supervisor", "skills": ["picking", "counting"],
        "warehouses": [str(floor.warehouse_id), str(wh2.id)], "locale": "en"})

    changes = {a.action: a.details for a in people.audit("user.")}
    assert changes["user.role_changed"]["before"] == "operator"
    assert changes["user.role_changed"]["after"] == "supervisor"
    assert changes["user.skills_changed"]["added"] == ["counting"]
    assert changes["user.warehouses_changed"]["added"] == ["WH2"]
    assert all(a.actor_name == "ada" for a in people.audit("user."))


def test_saving_a_user_unchanged_writes_no_permission_audit(admin, people, floor):
    olga = people.add("olga", Role.operator, skills=["picking"])

    admin.post(f"/console/users/{olga.id}", {
        "display_name": "Olga", "role": "operator", "skills": ["picking"],
        "warehouses": [str(floor.warehouse_id)], "locale": "zh_CN"})

    assert people.audit("user.") == []


def test_a_pin_reset_replaces_the_pin_and_unlocks(admin, people):
    olga = people.add("olga", Role.operator, pin="1111")

    short = admin.post(f"/console/users/{olga.id}/pin", {"value": "12"})
    reset = admin.post(f"/console/users/{olga.id}/pin", {"value": "2468"})

    assert short.status_code == 422
    assert reset.status_code == 302
    assert verify_secret(people.get("olga").pin_hash, "2468")
    assert [a.action for a in people.audit("user.")] == ["user.pin_reset"]


def test_a_badge_is_given_then_taken_away(admin, people):
    olga = people.add("olga", Role.operator)

    admin.post(f"/console/users/{olga.id}/badge", {"value": "EMP-7"})
    given = people.get("olga").badge_hash
    admin.post(f"/console/users/{olga.id}/badge", {"value": ""})

    assert given == badge_digest("EMP-7")
    assert people.get("olga").badge_hash is None
    assert [a.action for a in people.audit("user.badge")] == [
        "user.badge_set", "user.badge_cleared"]


def test_a_badge_of_someone_else_is_refused(admin, people):
    people.add("olga", Role.operator, badge="EMP-7")
    piet = people.add("piet", Role.operator)

    response = admin.post(f"/console/users/{piet.id}/badge?lang=en", {"value": "EMP-7"})

    assert response.status_code == 422
    assert people.get("piet").badge_hash is None


def test_the_last_admin_cannot_be_demoted_or_deactivated_by_themselves(admin, people):
    ada = people.get("ada")

    demote = admin.post(f"/console/users/{ada.id}", {
        "display_name": "Ada", "role": "supervisor", "locale": "en"})
    deactivate = admin.post(f"/console/users/{ada.id}/deactivate")

    assert demote.status_code == deactivate.status_code == 422
    assert people.get("ada").role is Role.admin and people.get("ada").active


def test_deactivating_and_reactivating_are_audited(admin, people):
    olga = people.add("olga", Role.operator)

    admin.post(f"/console/users/{olga.id}/deactivate")
    listed = admin.page("/console/users?q=olg&lang=en")
    admin.post(f"/console/users/{olga.id}/reactivate")

    assert "deactivated" in listed
    assert people.get("olga").active
    assert [a.action for a in people.audit("user.")] == ["user.deactivated", "user.reactivated"]


def test_the_user_list_pages_by_username(admin, people):
    for n in range(55):
        people.add(f"op{n:02d}", Role.operator, password=None)

    first = admin.page("/console/users")
    second = admin.page("/console/users?after=op48")

    assert "op00" in first and "op49" not in first
    assert "op49" in second and "op54" in second and "op00" not in second
