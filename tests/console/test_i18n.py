"""Languages: zh-CN by default, English on request, remembered per person."""

import os

from wms.model import Role
from wms.web.i18n import compile_catalogs, normalise


def nav(html: str) -> str:
    return html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]


def test_the_console_speaks_chinese_by_default(supervisor):
    html = supervisor.page("/console/locations")

    assert "库位" in nav(html) and "物料" in nav(html)
    assert "Locations" not in nav(html)
    assert '<html lang="zh-CN">' in html


def test_the_console_speaks_english_when_asked(supervisor):
    html = supervisor.page("/console/locations?lang=en")

    assert "Locations" in nav(html) and "库位" not in nav(html)
    assert "Locations" in nav(supervisor.page("/console/items")), "the choice is remembered"


def test_the_login_page_follows_the_browser_language(desk):
    english = desk.page("/console/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    chinese = desk.page("/console/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    other = desk.page("/console/login", headers={"Accept-Language": "fr"})

    assert "Sign in to the console" in english
    assert "登录管理台" in chinese and "登录管理台" in other


def test_a_user_gets_their_own_language_at_sign_in(desk, people):
    people.add("sam", Role.supervisor, locale="en")
    desk.username = "sam"

    desk.sign_in()

    assert "Overview" in nav(desk.page("/console/"))


def test_the_language_switch_remembers_the_choice_on_the_user(supervisor, people, app):
    response = supervisor.post("/lang", {"lang": "en", "next": "/console/items"})

    assert response.status_code == 302 and response.headers["Location"] == "/console/items"
    assert people.get("sam").locale == "en"
    assert "Items" in nav(supervisor.page("/console/items"))


def test_the_language_switch_needs_the_csrf_token_and_a_known_language(supervisor, people):
    assert supervisor.post("/lang", {"lang": "en"}, csrf=False).status_code == 400
    assert supervisor.post("/lang", {"lang": "xx"}).status_code == 400
    assert people.get("sam").locale == "zh_CN"


def test_service_messages_are_translated_too(supervisor):
    html = supervisor.post("/console/locations/new", {
        "warehouse": "1", "pattern": "A-20..01", "action": "create"}).text

    assert "范围须从小到大" in html


def test_language_tags_are_understood_loosely():
    assert [normalise(t) for t in ("zh-CN", "zh_cn", "zh", "zh-Hans", "en-GB", "en", "fr", "")] \
        == ["zh_CN", "zh_CN", "zh_CN", "zh_CN", "en", "en", None, None]


def test_a_missing_or_stale_catalog_is_compiled_at_start(tmp_path):
    po_dir = tmp_path / "zh_CN" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Locations"\nmsgstr "库位"\n', encoding="utf-8")

    first = compile_catalogs(tmp_path)
    mo = po_dir / "messages.mo"
    os.utime(mo, (1, 1))
    compile_catalogs(tmp_path)

    assert first == tmp_path
    assert mo.stat().st_mtime > 1
    assert "库位".encode() in mo.read_bytes()


def test_every_message_of_the_catalog_has_a_chinese_translation():
    from babel.messages.pofile import read_po

    from wms.web.i18n import TRANSLATIONS_DIR

    with (TRANSLATIONS_DIR / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)

    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    assert len(catalog) > 200
