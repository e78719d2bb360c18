"""Signing in to the console: who gets in, who does not, and what the audit log keeps."""

from sqlalchemy import select

from tests.console.conftest import Desk, flash_text
from wms.model import Role, User


def test_a_supervisor_signs_in_and_lands_on_the_overview(desk, people):
    people.add("sam", Role.supervisor)
    desk.username = "sam"

    response = desk.sign_in()

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/")
    assert "/console/board" in desk.page("/console/")
    entry = people.audit("login.")[-1]
    assert (entry.action, entry.actor_name, entry.success) == ("login.password", "sam", True)
    assert entry.details["kind"] == "console"


def test_a_wrong_password_is_refused_and_audited(desk, people):
    people.add("sam", Role.supervisor)
    desk.username = "sam"

    response = desk.sign_in("not-the-password")

    assert response.status_code == 401
    assert flash_text(response.text) == ["用户名或密码错误"]
    assert desk.get("/console/").status_code == 302
    entry = people.audit("login.")[-1]
    assert (entry.actor_name, entry.success) == ("sam", False)
    assert people.get("sam").failed_logins == 1


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(desk, people):
    people.add("sam", Role.supervisor)
    desk.username = "sam"
    for _ in range(5):
        desk.sign_in("wrong-password")

    response = desk.sign_in()

    assert response.status_code == 401
    assert people.get("sam").locked_until is not None


def test_a_sign_in_without_the_csrf_token_is_refused(desk, people):
    people.add("sam", Role.supervisor)

    response = desk.client.post("/console/login", data={"username": "sam",
                                                         "password": "correct-horse-1"})

    assert response.status_code == 400
    assert desk.get("/console/").status_code == 302
    assert people.audit("login.") == []


def test_an_operator_may_not_use_the_console(desk, people):
    people.add("olga", Role.operator)
    desk.username = "olga"

    response = desk.sign_in()

    assert response.status_code == 401
    assert desk.get("/console/").status_code == 302
    assert people.audit("login.refused")[0].actor_name == "olga"


def test_an_operator_signed_in_on_a_terminal_is_refused_by_console_pages(app, people):
    olga = people.add("olga", Role.operator)
    desk = Desk(app)
    with desk.client.session_transaction() as sess:
        sess.update(user_id=olga.id, kind="console", csrf="t")

    assert desk.get("/console/locations").status_code == 403


def test_a_supervisor_may_not_open_admin_pages(supervisor):
    for url in ("/console/users", "/console/api-clients"):
        assert supervisor.get(url).status_code == 403
    assert supervisor.get("/console/locations").status_code == 200


def test_an_admin_opens_every_page(admin):
    for url in ("/console/", "/console/users", "/console/users/new", "/console/warehouses",
                "/console/locations", "/console/locations/new", "/console/items",
                "/console/items/new", "/console/api-clients", "/console/audit"):
        assert admin.get(url).status_code == 200, url


def test_a_page_asks_a_stranger_to_sign_in_first_and_returns_there(desk, people):
    people.add("sam", Role.supervisor)
    desk.username = "sam"

    asked = desk.get("/console/items?q=X")
    response = desk.sign_in(next="/console/items?q=X")

    assert "/console/login?next=" in asked.headers["Location"]
    assert response.headers["Location"] == "/console/items?q=X"


def test_sign_in_never_redirects_to_another_site(desk, people):
    people.add("sam", Role.supervisor)
    desk.username = "sam"

    response = desk.sign_in(next="//evil.example/steal")

    assert response.headers["Location"] == "/"


def test_the_session_cookie_is_http_only_and_same_site(desk, people):
    people.add("sam", Role.supervisor)
    desk.username = "sam"

    cookie = desk.sign_in().headers["Set-Cookie"]

    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_write_without_the_csrf_token_is_refused_and_changes_nothing(supervisor, session):
    response = supervisor.post("/console/locations/new",
                               {"warehouse": "1", "pattern": "A-1..3", "action": "create"},
                               csrf=False)

    assert response.status_code == 403
    assert session.scalar(select(User).where(User.username == "sam")) is not None
    assert "A-1" not in supervisor.page("/console/locations")


def test_signing_out_ends_the_session_and_is_audited(supervisor, people):
    response = supervisor.post("/console/logout")

    assert response.status_code == 302
    assert supervisor.get("/console/").status_code == 302
    assert people.audit("logout")[0].actor_name == "sam"


def test_a_deactivated_supervisor_is_out_at_the_next_click(supervisor, admin, people):
    sam = people.get("sam")

    admin.post(f"/console/users/{sam.id}/deactivate")

    assert supervisor.get("/console/").status_code == 302
