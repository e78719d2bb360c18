"""Languages of the web UI (zh-CN and en) with Flask-Babel, and the language switch.

The locale of a request is, in order: ``?lang=`` (remembered in the
session), the session's choice (set at sign-in from the user and by the
switch), the signed-in user's language, the browser's Accept-Language, and
finally zh_CN. Catalogs live in ``wms/translations/<locale>/LC_MESSAGES``, named as
Babel names the locale (``zh_Hans_CN``: Babel expands ``zh_CN`` to it);
the ``.po`` files are the source and are compiled to ``.mo`` when the app
starts if the ``.mo`` is missing or older, so there is no manual step.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, abort, current_app, redirect, request, session
from flask_babel import Babel, get_locale

from wms.services.users import set_locale
from wms.web.auth import csrf_ok, current_user
from wms.web.context import transaction, wms

log = logging.getLogger(__name__)

DEFAULT_LOCALE = "zh_CN"
#: Locale code → the language's own name, shown in the switch.
LANGUAGES = {"zh_CN": "中文", "en": "English"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def normalise(tag: str | None) -> str | None:
    """A supported locale for a language tag such as ``zh-CN``, ``zh``, ``en_US``, else None."""
    if not tag:
        return None
    tag = tag.strip().replace("-", "_")
    if tag in LANGUAGES:
        return tag
    language = tag.split("_")[0].lower()
    return {"zh": "zh_CN", "en": "en"}.get(language)


def select_locale() -> str:
    asked = normalise(request.args.get("lang"))
    if asked:
        session["locale"] = asked
        return asked
    chosen = normalise(session.get("locale"))
    if chosen:
        return chosen
    user = current_user() if "user_id" in session else None
    if user is not None and normalise(user.locale):
        return normalise(user.locale) or DEFAULT_LOCALE
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def compile_catalogs(source: Path = TRANSLATIONS_DIR) -> Path:
    """Compile every ``.po`` whose ``.mo`` is missing or stale; return the directory to use.

    If the package directory is read-only, the catalogs are compiled into a
    temporary directory instead.
    """
    try:
        _compile_into(source, source)
        return source
    except OSError:
        target = Path(tempfile.gettempdir()) / f"wms-translations-{os.getuid()}"
        log.warning("translations dir not writable; compiling into %s", target)
        _compile_into(source, target)
        return target


def _compile_into(source: Path, target: Path) -> None:
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a second worker starting at the same time never reads half.
        with tempfile.NamedTemporaryFile("wb", dir=mo_path.parent, delete=False) as tmp:
            write_mo(tmp, catalog)
        os.replace(tmp.name, mo_path)


def safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def switch_language() -> Any:
    """POST /lang: remember the language in the session and on the signed-in user."""
    if not csrf_ok():
        abort(400, "missing or wrong CSRF token; reload the page")
    locale = normalise(request.form.get("lang"))
    if locale is None:
        abort(400, "unsupported language")
    session["locale"] = locale
    user = current_user()
    if user is not None:
        with transaction() as db:
            set_locale(db, user_id=user.id, locale=locale)
    return redirect(safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    directory = compile_catalogs()
    default = normalise(wms(app).settings.default_locale) or DEFAULT_LOCALE
    app.config.setdefault("BABEL_DEFAULT_LOCALE", default)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    Babel(app, locale_selector=select_locale, timezone_selector=_timezone)
    app.add_url_rule("/lang", endpoint="switch_language", view_func=switch_language,
                     methods=["POST"])

    @app.context_processor
    def _languages() -> dict[str, Any]:
        return {"languages": LANGUAGES, "current_locale": current_locale}


def current_locale() -> str:
    """Our code for the request's language (Babel itself says ``zh_Hans_CN``)."""
    return normalise(str(get_locale())) or DEFAULT_LOCALE


def _timezone() -> str:
    return session.get("timezone") or "UTC"
