"""The terminal's own words in en and zh-CN: page texts and the strings its JS shows.

Page texts are keyed by their English text, like gettext msgids, so they
also work through Flask-Babel's catalogs; this table is the fallback (and
the seed for the .po files) when a catalog has no entry. JS strings are a
small dict per locale rendered into each page. Terms follow the glossary.
"""

from __future__ import annotations

#: English page text → zh-CN.
PAGE_ZH: dict[str, str] = {
    "Sign in": "登录",
    "Scan your badge": "请扫描工牌",
    "Badge": "工牌",
    "User and PIN": "用户名和PIN码",
    "Scan badge instead": "改为扫描工牌",
    "User": "用户名",
    "PIN": "PIN码",
    "Badge not recognised: %(scanned)s. Scan your own badge or sign in with user and PIN.":
        "无法识别工牌:%(scanned)s。请扫描本人工牌,或用用户名和PIN码登录。",
    "Wrong user or PIN for %(username)s. Try again or scan your badge.":
        "用户 %(username)s 的用户名或PIN码错误。请重试或扫描工牌。",
    "Too many failed attempts; try again in a few minutes.": "失败次数过多,请几分钟后再试。",
    "Locked after %(minutes)s minutes without a scan. Scan your badge to continue.":
        "超过 %(minutes)s 分钟未扫描,已锁定。请扫描工牌继续。",
    "Signed out.": "已退出登录。",
    "Reload the page and try again.": "请刷新页面后重试。",
    "Terminal": "手持终端",
    "My tasks": "我的任务",
    "Next task": "下一个任务",
    "Move stock": "移库",
    "Receive goods": "收货",
    "Incoming QC": "来料质检",
    "Resume": "继续作业",
    "Sign out": "退出登录",
    "Home": "首页",
    "Loading…": "加载中…",
    "Scan": "扫描",
    "Keyboard": "键盘",
    "Language": "语言",
}

#: Strings the JS shows, per locale; keys are stable identifiers.
JS_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "offline": "Offline: {n} scan(s) waiting, sent when Wi-Fi returns",
        "sending": "Sending…",
        "no_tasks": "No tasks for you right now.",
        "no_next_task": "No task is waiting for you.",
        "task_arrived": "New task: {summary}",
        "task_changed": "Task changed: {summary}",
        "choose_first": "Choose a task or press a button first.",
        "station_bound": "Working at {station} ({name}): labels print and parcels weigh here.",
        "done": "Done.",
        "error": "Something went wrong: {detail}",
        "session_ended": "Your session ended. Sign in again; waiting scans are kept.",
        "last_scan": "Last scan: {value}",
        "live_off": "Live updates paused; checking every few seconds",
        "no_flow": "Nothing in progress.",
        "next_task": "Next task",
    },
    "zh_CN": {
        "offline": "离线:{n} 条扫描待发送,网络恢复后自动发送",
        "sending": "发送中…",
        "no_tasks": "当前没有您的任务。",
        "no_next_task": "没有等待您的任务。",
        "task_arrived": "新任务:{summary}",
        "task_changed": "任务已变更:{summary}",
        "choose_first": "请先选择任务或按按钮。",
        "station_bound": "已绑定工作台 {station}（{name}）：标签在此打印，包裹在此称重。",
        "done": "已完成。",
        "error": "出错了:{detail}",
        "session_ended": "登录已失效,请重新登录;待发送的扫描会保留。",
        "last_scan": "上次扫描:{value}",
        "live_off": "实时推送暂停,每隔几秒检查一次",
        "no_flow": "没有进行中的作业。",
        "next_task": "下一个任务",
    },
}

SUPPORTED = ("zh_CN", "en")


def normalise(tag: str | None) -> str | None:
    """A supported locale for ``zh-CN``, ``zh``, ``en_US`` ..., else None."""
    if not tag:
        return None
    tag = str(tag).strip().replace("-", "_")
    if tag in SUPPORTED:
        return tag
    return {"zh": "zh_CN", "en": "en"}.get(tag.split("_")[0].lower())


def translate(message: str, locale: str, **params: object) -> str:
    text = PAGE_ZH.get(message, message) if locale == "zh_CN" else message
    return text % params if params else text
