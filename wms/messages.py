"""The operator message catalog: every terminal and task-board text by code, in en and zh_CN.

Codes are the ``WmsError.code`` values plus screen texts (``move.*``,
``field.*``, ``action.*``) and board texts (``board.*``). Messages are
short, imperative and name the barcode: "Scan A-03-12-2, not A-03-12-3".
No Flask here: the core renders screens, the edges pick the locale.
"""

from __future__ import annotations

from typing import Any

LOCALES = ("en", "zh_CN")
DEFAULT_LOCALE = "zh_CN"

CATALOG: dict[str, tuple[str, str]] = {
    # -- scan outcomes (errors, warnings, successes) ------------------------------------
    "wrong_location": ("Scan {expected}, not {scanned}", "请扫描 {expected}，不是 {scanned}"),
    "wrong_item": ("Scan {expected}, not {scanned}", "请扫描 {expected}，不是 {scanned}"),
    "unknown_location": ("Unknown location {location}", "库位 {location} 不存在"),
    "unknown_item": ("Unknown item {sku}", "商品 {sku} 不存在"),
    "unknown_container": ("Unknown container {container}", "容器 {container} 不存在"),
    "not_recognised": ("{scanned} is not a location, item or container",
                       "无法识别 {scanned}：不是库位、商品或容器"),
    "expected_location": ("Scan a location, not {scanned}", "请扫描库位，不是 {scanned}"),
    "expected_item": ("Scan an item or a container, not {scanned}",
                      "请扫描商品或容器，不是 {scanned}"),
    "expected_quantity": ("Key a quantity or scan {sku} again, not {scanned}",
                          "请输入数量或再次扫描 {sku}，不是 {scanned}"),
    "location_blocked": ("{location} is blocked: scan another location",
                         "库位 {location} 已冻结，请扫描其他库位"),
    "location_not_allowed": ("Stock cannot go to {location}: scan another location",
                             "{location} 不能存放库存，请扫描其他库位"),
    "same_location": ("{location} is where the stock is now: scan another location",
                      "{location} 是源库位，请扫描其他库位"),
    "item_not_here": ("No {sku} at {location}: scan another item",
                      "{location} 没有 {sku}，请扫描其他商品"),
    "container_not_here": ("Container {container} is not at {location}",
                           "容器 {container} 不在 {location}"),
    "container_empty": ("Container {container} is empty", "容器 {container} 是空的"),
    "lot_ambiguous": ("{sku} has several lots at {location}: scan the lot label",
                      "{location} 的 {sku} 有多个批次，请扫描批次标签"),
    "qty_too_large": ("Only {available} {uom} at {location}: key {available} or less",
                      "{location} 只有 {available} {uom}，请输入不超过 {available} 的数量"),
    "invalid_quantity": ("Key a quantity greater than zero", "请输入大于零的数量"),
    "insufficient_stock": ("Not enough {sku} at {location}: {available} available",
                           "{location} 的 {sku} 不足：可用 {available}"),
    "negative_stock_not_allowed": ("Not enough stock: {available} available",
                                   "库存不足：可用 {available}"),
    "unexpected_destination": (
        "{location} is not the suggested {expected}: scan it again to confirm",
        "{location} 不是建议库位 {expected}，再次扫描以确认",
    ),
    "mixed_destination": ("{location} holds other items: scan it again to confirm",
                          "{location} 已有其他商品，再次扫描以确认"),
    "moved": ("Moved {qty} {uom} {sku} to {location}", "已将 {qty} {uom} {sku} 移至 {location}"),
    "container_moved": ("Moved container {container} to {location}",
                        "已将容器 {container} 移至 {location}"),
    # -- flow and task conditions -------------------------------------------------------
    "invalid_transition": ("This step is not allowed now", "当前不能执行此操作"),
    "unknown_action": ("{action} is not available here", "此处不能使用“{action}”"),
    "unknown_flow": ("Unknown job {flow}", "未知作业 {flow}"),
    "flow_not_found": ("This job has ended: start it again", "此作业已结束，请重新开始"),
    "task_not_yours": ("Task {task} is not assigned to you", "任务 {task} 未分配给你"),
    "task_not_found": ("There is no task {task}", "任务 {task} 不存在"),
    "task_closed": ("Task {task} is finished", "任务 {task} 已结束"),
    "task_wrong_flow": ("Task {task} is not a {flow} task", "任务 {task} 不属于此作业"),
    "no_task": ("No task for you right now", "暂时没有分配给你的任务"),
    "authentication_failed": ("Please sign in", "请先登录"),
    "permission_denied": ("You are not allowed to do this", "你没有此操作的权限"),
    "validation_failed": ("Check the input: {detail}", "请检查输入：{detail}"),
    "not_found": ("Not found", "未找到"),
    "conflict": ("Someone changed this meanwhile: try again", "数据已被他人修改，请重试"),
    "error": ("Something went wrong: try again", "出错了，请重试"),
    # -- pushes -------------------------------------------------------------------------
    "task.assigned": ("New task {task}", "新任务 {task}"),
    "task.unassigned": ("Task {task} was taken off you", "任务 {task} 已被收回"),
    "task.cancelled": ("Task {task} was cancelled", "任务 {task} 已取消"),
    "task.updated": ("Task {task} changed", "任务 {task} 已变更"),
    # -- the move flow ------------------------------------------------------------------
    "move.title": ("Move stock", "移库"),
    "move.scan_source": ("Scan the source location", "请扫描源库位"),
    "move.scan_source.expected": ("Scan location {location}", "请扫描库位 {location}"),
    "move.scan_item": ("Scan the item or container", "请扫描商品或容器"),
    "move.scan_item.expected": ("Scan item {sku}", "请扫描商品 {sku}"),
    "move.scan_quantity": ("Key the quantity or scan the item again", "请输入数量或再次扫描商品"),
    "move.scan_destination": ("Scan the destination location", "请扫描目标库位"),
    "move.scan_destination.expected": ("Scan destination {location}", "请扫描目标库位 {location}"),
    "move.confirm_destination": ("Scan {location} again to confirm",
                                 "请再次扫描 {location} 以确认"),
    "move.done": ("Stock moved", "移库完成"),
    # -- screen fields and actions -------------------------------------------------------
    "field.from": ("From", "源库位"),
    "field.to": ("To", "目标库位"),
    "field.suggested": ("Suggested", "建议库位"),
    "field.item": ("Item", "商品"),
    "field.container": ("Container", "容器"),
    "field.available": ("Available", "可用"),
    "field.counted": ("Counted", "已扫"),
    "field.quantity": ("Quantity", "数量"),
    "field.task": ("Task", "任务"),
    "action.back": ("Back", "返回"),
    "action.confirm": ("Confirm quantity", "确认数量"),
    "uom.each": ("each", "件"),
    "uom.inner": ("inner", "内盒"),
    "uom.case": ("case", "箱"),
    "uom.pallet": ("pallet", "托"),
}


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def normalise_locale(locale: str | None) -> str:
    """zh, zh-CN, zh_CN, zh-Hans → zh_CN; anything else we do not have → en."""
    if locale and locale.replace("-", "_").lower().startswith("zh"):
        return "zh_CN"
    return "en"


def translate(code: str, locale: str | None = None, **params: Any) -> str:
    """The catalogued text for ``code`` in ``locale`` with ``params`` filled in.

    An unknown code comes back as itself, so a missing entry shows up in
    tests and screenshots instead of hiding behind a generic text.
    """
    texts = CATALOG.get(code)
    if texts is None:
        return code
    text = texts[1] if normalise_locale(locale or DEFAULT_LOCALE) == "zh_CN" else texts[0]
    return text.format_map(_Lenient({k: "" if v is None else v for k, v in params.items()}))


def unit(uom: str, locale: str | None = None) -> str:
    """A unit of measure in the operator's language (each → 件); unknown units as they are."""
    return translate(f"uom.{uom}", locale) if f"uom.{uom}" in CATALOG else uom
