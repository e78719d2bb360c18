"""The audit log page: filter by action, person and result; newest first, paged."""

import re

from wms.model import Role


def actions_listed(html: str) -> list[str]:
    return re.findall(r"<td><code>([^<]+)</code></td>", html)


def test_failed_sign_ins_are_found_by_result(admin, people, desk):
    people.add("sam", Role.supervisor)
    desk.username = "sam"
    desk.sign_in("wrong-password")

    html = admin.page("/console/audit?success=0")

    assert actions_listed(html) == ["login.password"]
    assert "sam" in html


def test_the_action_filter_matches_a_prefix_and_the_newest_comes_first(admin, people):
    olga = people.add("olga", Role.operator)
    admin.post(f"/console/users/{olga.id}/pin", {"value": "1234"})
    admin.post(f"/console/users/{olga.id}/deactivate")

    html = admin.page("/console/audit?action=user.&actor=ada")

    assert actions_listed(html) == ["user.deactivated", "user.pin_reset"]


def test_the_log_pages_backwards_in_time(admin, people):
    olga = people.add("olga", Role.operator)
    for n in range(60):
        admin.post(f"/console/users/{olga.id}/pin", {"value": f"{1000 + n}"})

    first = admin.page("/console/audit?action=user.pin_reset")
    older = re.search(r'href="([^"]+after=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    second = admin.page(older)

    assert len(actions_listed(first)) == 50 and len(actions_listed(second)) == 10


def test_a_bad_date_is_explained_not_a_crash(admin):
    html = admin.page("/console/audit?since=31/03/2025&lang=en")

    assert "A date is written like 2025-03-31." in html
