"""The PDA page in real Chromium at 360×640 against the TEST-ONLY fake terminal API.

These check the page itself (scan input, queue, offline, feedback, live
push, layout, weight). The same journeys against the real API are in
test_browser_real.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.terminal import fake_api
from tests.terminal.conftest import (
    SILENCE_MS,
    Operator,
    browser_settings,
    feedback_kinds,
    make_operator,
    sign_in_by_badge,
    wait_scan_focus,
    wedge,
)
from wms.db import make_session_factory

pytestmark = pytest.mark.browser


@dataclass
class Site:
    url: str
    fake: fake_api.FakeTerminalApi
    operator: Operator
    factory: object


@pytest.fixture
def site(sqlite_engine, tmp_path, live_factory) -> Site:
    from wms.app import create_app

    app = create_app(browser_settings(sqlite_engine, tmp_path), engine=sqlite_engine)
    fake = fake_api.install(app)
    factory = make_session_factory(sqlite_engine)
    operator = make_operator(factory)
    return Site(live_factory(app).url, fake, operator, factory)


@pytest.fixture
def pda(site, pda_factory):
    return pda_factory(site.url).new_page()


def start_move(page) -> None:
    """From home: F2 starts the move flow."""
    wait_scan_focus(page)
    page.keyboard.press("F2")
    page.wait_for_url("**/t/flow")
    page.wait_for_selector("body[data-state='scan_source']")
    wait_scan_focus(page)


def on_state(page, state: str) -> None:
    page.wait_for_selector(f"body[data-state='{state}']:not([data-busy])")


# -- sign-in -------------------------------------------------------------------
def test_badge_scan_signs_in_and_keeps_the_device_id(site, pda):
    sign_in_by_badge(pda, site.operator)

    assert pda.locator("#title").inner_text() == "My tasks"
    device = pda.evaluate("JSON.parse(localStorage.getItem('wms.device_id'))")
    assert device.startswith("pda-")
    from sqlalchemy import select

    from wms.model import AuditLog

    with site.factory() as s:
        assert s.scalars(select(AuditLog.device_id)).one() == device


def test_badge_scanned_without_enter_signs_in_after_silence(site, pda):
    pda.goto("/t/login")
    wait_scan_focus(pda)

    pda.keyboard.insert_text(site.operator.badge)

    pda.wait_for_url("**/t/")


def test_user_and_pin_sign_in(site, pda):
    pda.goto("/t/login")
    wait_scan_focus(pda)
    pda.keyboard.press("F2")
    pda.wait_for_function("() => document.activeElement.id === 'username'")

    pda.keyboard.type(site.operator.username)
    pda.keyboard.press("Tab")
    pda.keyboard.type(site.operator.pin)
    pda.keyboard.press("Enter")

    pda.wait_for_url("**/t/")


def test_wrong_badge_shows_a_red_explained_screen_with_error_feedback(site, pda):
    pda.goto("/t/login?lang=en")

    wedge(pda, "STRANGER-9")

    pda.wait_for_selector(".message-error")
    text = pda.locator("#message").inner_text()
    assert "Badge not recognised: STRANGER-9" in text
    pda.wait_for_function("() => document.body.getAttribute('data-feedback') === 'error'")
    events = pda.evaluate("window.__wmsFeedback")
    assert events[0]["kind"] == "error" and events[0]["tone"] == "error"
    background = "getComputedStyle(document.querySelector('.message-error')).backgroundColor"
    assert pda.evaluate(background) == "rgb(176, 0, 0)"
    wait_scan_focus(pda)  # ready for the next badge at once


# -- the scan input --------------------------------------------------------------
def test_enter_suffix_submits_the_scan(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    wedge(pda, "A-01-02-1")

    steps = site.fake.wait_for_steps(1)
    assert steps[0]["input"] == "A-01-02-1"
    assert steps[0]["seq"] == 1
    on_state(pda, "scan_item")
    assert pda.locator("#prompt").inner_text() == "Scan the item"
    assert feedback_kinds(pda)[-1] == "success"


def test_tab_suffix_submits_the_scan(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    wedge(pda, "A-01-02-1", suffix="Tab")

    assert site.fake.wait_for_steps(1)[0]["input"] == "A-01-02-1"
    on_state(pda, "scan_item")
    wait_scan_focus(pda)  # Tab did not move the focus away


def test_injected_scan_without_suffix_is_flushed_after_silence(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    pda.keyboard.insert_text("A-01-02-1")

    assert site.fake.wait_for_steps(1)[0]["input"] == "A-01-02-1"


def test_slow_human_typing_waits_for_enter(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    pda.keyboard.type("A-01", delay=150)
    pda.wait_for_timeout(SILENCE_MS + 300)  # longer than the silence flush
    assert site.fake.steps == []
    pda.keyboard.press("Enter")

    assert site.fake.wait_for_steps(1)[0]["input"] == "A-01"


def test_gs1_text_with_gs_and_aim_ids_is_sent_raw(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    wedge(pda, "A-01-02-1")
    on_state(pda, "scan_item")
    gs1 = "]C10109501101530003172512313710\x1d10LOT-42"

    wait_scan_focus(pda)
    pda.keyboard.insert_text(gs1)
    pda.keyboard.press("Enter")
    on_state(pda, "enter_qty")
    pda.locator("[data-action='back']").click()
    on_state(pda, "scan_item")
    wedge(pda, "]d2010950110153000310LOT-42|21SN1")
    on_state(pda, "enter_qty")

    items = [s["input"] for s in site.fake.steps if s.get("input") and s["seq"] > 1]
    assert items == [gs1, "]d2010950110153000310LOT-42|21SN1"]
    assert "\u241d" in pda.locator("#echo").inner_text() or "|" in pda.locator("#echo").inner_text()


def test_gs_typed_as_ctrl_bracket_becomes_ascii_29(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    wedge(pda, "A-01-02-1")
    on_state(pda, "scan_item")

    wait_scan_focus(pda)
    pda.keyboard.type("]C11012", delay=5)
    pda.keyboard.press("Control+BracketRight")
    pda.keyboard.type("21SN1", delay=5)
    pda.keyboard.press("Enter")

    assert site.fake.wait_for_steps(2)[1]["input"] == "]C11012\x1d21SN1"


def test_double_enter_while_in_flight_sends_once(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    site.fake.step_delay = 0.8

    wedge(pda, "A-01-02-1")
    pda.keyboard.press("Enter")
    pda.keyboard.press("Enter")
    on_state(pda, "scan_item")
    pda.wait_for_timeout(300)

    assert [s["input"] for s in site.fake.steps] == ["A-01-02-1"]
    assert site.fake.applied == 1


def test_second_scan_while_in_flight_is_queued_then_sent_with_the_new_seq(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    site.fake.step_delay = 0.8

    wedge(pda, "A-01-02-1")
    pda.wait_for_selector("body[data-busy='1']")
    wedge(pda, "SKU-1")
    on_state(pda, "enter_qty")

    steps = site.fake.wait_for_steps(2)
    assert [(s["input"], s["seq"]) for s in steps] == [("A-01-02-1", 1), ("SKU-1", 2)]
    assert steps[0]["request_id"] != steps[1]["request_id"]


def test_offline_scan_is_queued_and_resent_with_the_same_request_id(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    context = pda.context

    context.set_offline(True)
    wedge(pda, "A-01-02-1")
    pda.wait_for_selector("#offline:not([hidden])")
    queued = pda.evaluate("window.__wmsFlow.queue()")
    stored = pda.evaluate(
        "JSON.parse(localStorage.getItem('wms.queue.' + "
        "JSON.parse(document.getElementById('wms-config').textContent).user.id))")
    assert pda.locator("#offline").inner_text().startswith("Offline: 1 scan")
    assert site.fake.steps == []
    context.set_offline(False)
    on_state(pda, "scan_item")

    assert len(queued) == 1 and stored[0]["request_id"] == queued[0]["request_id"]
    assert [s["request_id"] for s in site.fake.steps] == [queued[0]["request_id"]]
    pda.wait_for_selector("#offline", state="hidden")


def test_lost_answer_is_resent_with_the_same_request_id_and_applied_once(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    calls = []

    def drop_first_answer(route):
        calls.append(route.request.post_data_json)
        if len(calls) == 1:
            route.fetch()  # the server applies the step ...
            route.abort("connectionreset")  # ... and Wi-Fi drops before the answer arrives
        else:
            route.continue_()

    pda.route("**/flows/*/step", drop_first_answer)
    wedge(pda, "A-01-02-1")
    on_state(pda, "scan_item")

    assert len(site.fake.steps) == 2
    assert site.fake.steps[0]["request_id"] == site.fake.steps[1]["request_id"]
    assert site.fake.steps[0]["seq"] == site.fake.steps[1]["seq"] == 1
    assert site.fake.applied == 1


def test_queue_survives_a_reload_while_offline(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    pda.context.set_offline(True)
    wedge(pda, "A-01-02-1")
    pda.wait_for_selector("#offline:not([hidden])")
    rid = pda.evaluate("window.__wmsFlow.queue()[0].request_id")

    pda.route("**/flows/*/step", lambda route: route.abort())  # hold it back over the reload
    pda.context.set_offline(False)
    pda.reload()
    pda.wait_for_selector("body[data-queued='1']")
    pda.unroute("**/flows/*/step")
    on_state(pda, "scan_item")

    assert [s["request_id"] for s in site.fake.steps] == [rid]


# -- feedback and actions ------------------------------------------------------------
def test_wrong_scan_flashes_red_beeps_vibrates_and_keeps_the_screen(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    pda.evaluate("navigator.vibrate = function (p) { window.__vibrated = p; return true; }")

    wedge(pda, "SKU-1")

    pda.wait_for_selector(".message-error")
    assert pda.locator("#message").inner_text() == "Scan a location, not SKU-1."
    last = pda.evaluate("window.__wmsFeedback[window.__wmsFeedback.length - 1]")
    assert (last["kind"], last["tone"], last["vibrated"]) == ("error", "error", True)
    assert pda.evaluate("window.__vibrated") == [200, 100, 200]
    assert pda.locator("#flash").get_attribute("class").startswith("flash error")
    assert pda.get_attribute("body", "data-state") == "scan_source"
    wait_scan_focus(pda)


def test_actions_answer_to_f_keys_and_number_keys(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    wedge(pda, "A-01-02-1")
    on_state(pda, "scan_item")

    pda.keyboard.press("F1")
    on_state(pda, "scan_source")
    wedge(pda, "A-01-02-1")
    on_state(pda, "scan_item")
    pda.keyboard.press("1")
    on_state(pda, "scan_source")

    assert [s.get("action") for s in site.fake.steps] == [None, "back", None, "back"]


def test_focus_returns_to_the_scan_input_after_a_tap(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    pda.tap("#prompt")
    pda.evaluate("document.getElementById('scan').blur()")

    wait_scan_focus(pda)


def test_whole_move_flow_by_typed_scans(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    for code, state in [("A-01-02-1", "scan_item"), ("SKU-1", "enter_qty"),
                        ("5", "scan_destination"), ("B-02-01-1", "done")]:
        wedge(pda, code)
        on_state(pda, state)

    assert pda.locator("#prompt").inner_text() == "Stock moved"
    assert [f.strip() for f in pda.locator("#fields dd").all_inner_texts()] == [
        "A-01-02-1", "SKU-1", "5", "B-02-01-1"]
    pda.keyboard.press("F1")
    pda.wait_for_url("**/t/")


# -- live work -----------------------------------------------------------------------
def test_pushed_task_arrives_live_with_sound_and_banner(site, pda):
    sign_in_by_badge(pda, site.operator)
    pda.wait_for_function("() => window.__wmsLive && window.__wmsLive.socket.connected")

    site.fake.push_task(site.operator.id, "Move SKU-1 A-01 → B-02")

    pda.wait_for_selector("#live:not([hidden])")
    assert "New task: " in pda.locator("#live").inner_text()
    pda.wait_for_selector("[data-task-id='1']")
    assert "task" in feedback_kinds(pda)
    pda.wait_for_function(
        f"() => window.localStorage.getItem('wms.last_seq.{site.operator.id}') === '1'")
    assert 1 in site.fake.acks


def test_task_pushed_while_offline_arrives_after_reconnect_once(site, pda):
    sign_in_by_badge(pda, site.operator)
    pda.wait_for_function("() => window.__wmsLive && window.__wmsLive.socket.connected")
    pda.evaluate("window.__wmsLive.socket.disconnect()")

    site.fake.push_task(site.operator.id, "Missed while away")
    pda.evaluate("window.__wmsLive.socket.connect()")

    pda.wait_for_selector("[data-task-id='1']")
    pda.wait_for_timeout(500)
    assert feedback_kinds(pda).count("task") == 1  # replay and poll both saw it, one sound


def test_polling_picks_up_tasks_when_the_socket_cannot_connect(site, pda):
    pda.route("**/socket.io/**", lambda route: route.abort())
    sign_in_by_badge(pda, site.operator)
    site.fake.push_task(site.operator.id, "Found by polling", emit_live=False)

    pda.evaluate("window.__wmsLive.poll()")  # the timer would do the same within pollSeconds

    pda.wait_for_selector("[data-task-id='1']")
    assert set(site.fake.acks) == {1}  # two polls in flight at once may both ack it


def test_next_task_starts_its_flow(site, pda):
    site.fake.add_task(site.operator.id, "Move pallet")
    sign_in_by_badge(pda, site.operator)

    pda.keyboard.press("F1")

    pda.wait_for_url("**/t/flow")
    on_state(pda, "scan_source")
    assert site.fake.tasks[1]["status"] == "in_progress"
    assert site.fake.flows[1].task_id == 1


def test_resume_after_a_reboot(site, pda, pda_factory):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    wedge(pda, "A-01-02-1")
    on_state(pda, "scan_item")

    again = pda_factory(site.url).new_page()  # a rebooted PDA: new storage, same operator
    sign_in_by_badge(again, site.operator)
    again.wait_for_selector("[data-action='resume']:not([hidden])")
    again.keyboard.press("F3")

    on_state(again, "scan_item")


# -- look and weight -------------------------------------------------------------------
def test_big_text_big_targets_and_no_sideways_scroll_at_360px(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    prompt_px = pda.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('prompt')).fontSize)")
    heights = pda.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('button, .btn, #scan'),"
        " function (b) { return b.getBoundingClientRect().height; })")
    scroll = pda.evaluate("document.documentElement.scrollWidth")

    assert prompt_px >= 24
    assert heights and min(heights) >= 48
    assert scroll <= 360


def test_pages_load_only_from_our_server_and_stay_small(site, pda):
    requested = []
    pda.on("requestfinished", lambda r: requested.append(r))

    sign_in_by_badge(pda, site.operator)
    start_move(pda)

    assert requested
    assert all(r.url.startswith((site.url, "data:")) or r.url.startswith(site.url.replace(
        "http", "ws")) for r in requested), [r.url for r in requested]
    static = {r.url.split("?")[0]: r.sizes()["responseBodySize"] for r in requested
              if "/static/" in r.url}
    own = sum(size for url, size in static.items() if "/vendor/" not in url)
    assert own < 48_000, static
    assert sum(static.values()) < 100_000, static


def test_scan_queued_when_the_session_ended_is_sent_after_signing_in_again(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    # A request of the flow page's start still in flight would set the (permanent, so
    # refreshed on every answer) session cookie again after it was cleared.
    pda.wait_for_load_state("networkidle")
    pda.context.clear_cookies()  # the session is gone (idle lock, server restart with new key)

    wedge(pda, "A-01-02-1")
    # Two page loads in a row: allow a busy CI machine more than the default 10 s.
    pda.wait_for_url("**/t/login?next=%2Ft%2Fflow", timeout=30_000)
    wedge(pda, site.operator.badge)
    pda.wait_for_url("**/t/flow", timeout=30_000)
    on_state(pda, "scan_item")

    accepted = [s for s in site.fake.steps if s.get("input") == "A-01-02-1"]
    assert len(accepted) == 1 and site.fake.applied == 1


def test_a_lone_digit_is_a_quantity_where_one_is_expected(site, pda):
    sign_in_by_badge(pda, site.operator)
    start_move(pda)
    for code, state in [("A-01-02-1", "scan_item"), ("SKU-1", "enter_qty")]:
        wedge(pda, code)
        on_state(pda, state)

    pda.keyboard.press("1")
    pda.wait_for_timeout(SILENCE_MS + 300)  # past the silence time: no "back" shortcut here
    pda.keyboard.press("Enter")

    on_state(pda, "scan_destination")
    assert [s.get("action") for s in site.fake.steps] == [None, None, None]
    assert site.fake.steps[-1]["input"] == "1"
