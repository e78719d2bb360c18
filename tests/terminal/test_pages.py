"""The terminal pages through the Flask test client: sign-in, lock, assets, no external URLs."""

from __future__ import annotations

import json
import re
import time

from sqlalchemy import select

from tests.terminal.conftest import csrf_from, make_operator
from wms.model import AuditLog
from wms.web.terminal import SESSION_ACTIVE

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.I)


def page_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="wms-config">(.*?)</script>', html)
    assert found
    return json.loads(found.group(1))


def login_form(client, **fields: str):
    page = client.get("/t/login?lang=en")
    return client.post("/t/login", data={"csrf_token": csrf_from(page.text), **fields})


def test_badge_sign_in_opens_home_and_records_the_device(client, session_factory):
    op = make_operator(session_factory)

    response = login_form(client, badge=op.badge, device_id="pda-1234")

    assert response.status_code == 302
    assert response.headers["Location"] == "/t/"
    with client.session_transaction() as sess:
        assert (sess["user_id"], sess["kind"], sess["device_id"]) == (op.id, "terminal", "pda-1234")
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "login.badge")).one()
        assert (entry.success, entry.device_id, entry.actor_id) == (True, "pda-1234", op.id)
    assert "My tasks" in client.get("/t/").text


def test_badge_with_aim_symbology_prefix_still_signs_in(client, session_factory):
    op = make_operator(session_factory)

    response = login_form(client, badge="]C0" + op.badge, device_id="pda-1")

    assert response.status_code == 302


def test_wrong_badge_explains_in_red_and_is_audited(client, session_factory):
    make_operator(session_factory)

    response = login_form(client, badge="NOT-A-BADGE", device_id="pda-1")

    assert response.status_code == 401
    assert 'class="message message-error"' in response.text
    assert "Badge not recognised: NOT-A-BADGE" in response.text
    assert 'data-initial-feedback="error"' in response.text
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "login.badge")).one()
        assert (entry.success, entry.device_id) == (False, "pda-1")


def test_user_and_pin_sign_in(client, session_factory):
    op = make_operator(session_factory)

    response = login_form(client, username=op.username, pin=op.pin, device_id="pda-9")

    assert response.status_code == 302
    with client.session_transaction() as sess:
        assert sess["kind"] == "terminal"


def test_wrong_pin_counts_a_failed_attempt_and_stays_on_pin_form(client, session_factory):
    op = make_operator(session_factory)

    response = login_form(client, username=op.username, pin="0000")

    assert response.status_code == 401
    assert f"Wrong user or PIN for {op.username}" in response.text
    assert '<div id="badge-mode" hidden>' in response.text
    with session_factory() as s:
        from wms.model import User

        assert s.get(User, op.id).failed_logins == 1


def test_sign_in_without_csrf_token_is_refused(client, session_factory):
    op = make_operator(session_factory)
    client.get("/t/login")

    response = client.post("/t/login", data={"badge": op.badge})

    assert response.status_code == 400
    with client.session_transaction() as sess:
        assert "user_id" not in sess


def test_next_never_leaves_the_terminal(client, session_factory):
    op = make_operator(session_factory)
    page = client.get("/t/login")

    response = client.post("/t/login?next=//evil.example/x",
                           data={"csrf_token": csrf_from(page.text), "badge": op.badge})

    assert response.headers["Location"] == "/t/"


def test_pages_need_a_terminal_sign_in(client):
    response = client.get("/t/flow")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/t/login?next=")


def _sign_in_and_idle(client, session_factory, settings):
    op = make_operator(session_factory)
    login_form(client, badge=op.badge)
    with client.session_transaction() as sess:
        sess[SESSION_ACTIVE] = time.time() - settings.terminal_idle_lock_minutes * 60 - 5
    return op


def test_idle_session_locks_and_says_why(client, session_factory, settings):
    op = _sign_in_and_idle(client, session_factory, settings)

    page = client.get("/t/")

    assert page.status_code == 302 and page.headers["Location"] == "/t/login"
    lock_page = client.get("/t/login?lang=en").text
    assert f"Locked after {settings.terminal_idle_lock_minutes} minutes" in lock_page
    assert f'value="{op.username}"' in lock_page
    with client.session_transaction() as sess:
        assert "user_id" not in sess


def test_idle_session_refuses_api_calls(client, session_factory, settings):
    _sign_in_and_idle(client, session_factory, settings)

    response = client.post("/t/api/flows/1/step", json={})

    assert response.status_code == 401
    assert response.json["code"] == "session_locked"


def test_background_polling_does_not_keep_a_session_awake(client, session_factory):
    op = make_operator(session_factory)
    login_form(client, badge=op.badge)
    with client.session_transaction() as sess:
        before = sess[SESSION_ACTIVE] = time.time() - 60

    client.get("/t/api/events?after=0")

    with client.session_transaction() as sess:
        assert sess[SESSION_ACTIVE] == before


def test_sign_out(client, session_factory):
    op = make_operator(session_factory)
    home = login_form(client, badge=op.badge) and client.get("/t/")

    response = client.post("/t/logout", data={"csrf_token": csrf_from(home.text)})

    assert response.status_code == 302
    assert client.get("/t/").status_code == 302


def test_pages_load_nothing_from_another_host(client, session_factory):
    op = make_operator(session_factory)
    pages = [client.get("/t/login")]
    login_form(client, badge=op.badge)
    pages += [client.get("/t/"), client.get("/t/flow")]

    for page in pages:
        assert page.status_code == 200
        assert not EXTERNAL.search(page.text), page.text
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_assets_are_served_locally_with_a_version(client, session_factory):
    op = make_operator(session_factory)
    login_form(client, badge=op.badge)
    html = client.get("/t/flow").text

    # /t/static/ until the shared /static/ route exists, then that one.
    urls = re.findall(r'(?:src|href)="(/(?:t/)?static/[^"]+)"', html)

    assert {u.split("?")[0].split("static/", 1)[1] for u in urls} == {
        "terminal/terminal.css",
        "terminal/terminal.js",
        "vendor/socket.io.min.js",
    }
    for url in urls:
        assert "?v=" in url
        response = client.get(url)
        assert response.status_code == 200
        assert b"http://" not in response.data.replace(b"http://www.w3.org", b"")


def test_default_language_is_chinese(client):
    html = client.get("/t/login").text

    assert "请扫描工牌" in html
    assert page_config(html)["texts"]["offline"].startswith("离线")


def test_terminal_settings_reach_the_page(client, session_factory, settings):
    op = make_operator(session_factory)
    login_form(client, badge=op.badge)

    html = client.get("/t/flow").text

    config = page_config(html)
    assert config["scan"]["silenceMs"] == settings.terminal.scan_silence_ms
    assert config["idleLockMinutes"] == settings.terminal_idle_lock_minutes
    assert (config["api"], config["namespace"]) == ("/t/api", "/terminal")
