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
    # -- inbound: receive, QC, putaway -------------------------------------------------
    "receive.title": ("Receive goods", "收货"),
    "receive.scan_order": ("Scan the purchase order, its SSCC or an item",
                           "请扫描采购订单、SSCC 或商品"),
    "receive.scan_item": ("Scan an item of {order}", "请扫描 {order} 的商品"),
    "receive.report_unexpected": ("Key how many {sku} arrived to report them",
                                  "请输入到货的 {sku} 数量以上报"),
    "receive.scan_quantity": ("Key the quantity of {sku} or scan it again",
                              "请输入 {sku} 的数量或再次扫描"),
    "receive.scan_lot": ("Scan or key the lot of {sku}", "请扫描或输入 {sku} 的批次"),
    "receive.scan_expiry": ("Key the expiry date of {sku} (YYYY-MM-DD)",
                            "请输入 {sku} 的有效期至（年-月-日）"),
    "receive.scan_serial": ("Scan serial {n} of {total}", "请扫描第 {n}/{total} 个序列号"),
    "receive.scan_container": ("Scan an LPN, print a new one, or receive loose",
                               "请扫描托盘号、打印新托盘号，或散货收货"),
    "receive.done": ("Receipt closed", "收货完成"),
    "qc.title": ("Incoming QC", "来料质检"),
    "qc.scan_container": ("Scan the container or item to inspect", "请扫描待检的容器或商品"),
    "qc.scan_sample": ("Key the sample size", "请输入抽样数量"),
    "qc.scan_rejected": ("Key the rejected quantity (0 if none)",
                         "请输入不合格数量（没有则输入 0）"),
    "qc.scan_note": ("Key a note, or confirm without one", "请输入备注，或直接确认"),
    "qc.done": ("Inspection recorded", "质检完成"),
    "purchase_return.title": ("Return to supplier", "采购退货"),
    "purchase_return.scan_return": ("Scan the return number", "请扫描退货单号"),
    "purchase_return.scan_location": ("Scan the location the goods are at",
                                      "请扫描退货商品所在库位"),
    "purchase_return.scan_item": ("Scan the item", "请扫描商品"),
    "purchase_return.confirm_qty": ("Count and key the quantity", "请清点并输入数量"),
    "purchase_return.done": ("Return shipped", "退货已发出"),
    "putaway.title": ("Putaway", "上架"),
    "putaway.scan_container": ("Scan the container or item to put away",
                               "请扫描要上架的容器或商品"),
    "putaway.scan_destination": ("Scan destination {location}", "请扫描目标库位 {location}"),
    "putaway.confirm_destination": ("Scan {location} again to confirm",
                                    "请再次扫描 {location} 以确认"),
    "putaway.done": ("Put away", "上架完成"),
    "order_not_found": ("No open purchase order for {scanned}", "找不到 {scanned} 对应的采购订单"),
    "item_not_on_order": ("{sku} is not on {order}: key the quantity to report it, or go back",
                          "{sku} 不在 {order} 上：输入数量上报主管，或返回"),
    "lot_not_on_order": ("Lot {lot} is not announced: expected {expected}",
                         "批次 {lot} 不在到货通知上，应为 {expected}"),
    "invalid_lot_format": ("Lot {lot} has the wrong format: scan the lot label again",
                           "批次 {lot} 格式不正确，请重新扫描批次标签"),
    "lot_required": ("{sku} needs a lot: scan the lot label", "{sku} 需要批次，请扫描批次标签"),
    "expiry_required": ("{sku} needs an expiry date", "{sku} 需要有效期"),
    "goods_expired": ("{sku} expired on {expiry}: do not receive it",
                      "{sku} 已于 {expiry} 过期，不能收货"),
    "shelf_life_too_short": ("{sku} has {days_left} days left, {min_days} needed: do not receive",
                             "{sku} 剩余效期 {days_left} 天，至少需要 {min_days} 天，不能收货"),
    "duplicate_serial": ("Serial {serial} is already received: scan another",
                         "序列号 {serial} 已收过，请扫描其他序列号"),
    "serial_count_mismatch": ("Scan one serial per unit", "每件需要一个序列号"),
    "over_tolerance": ("At most {max} {uom} more of {sku}, not {requested}",
                       "{sku} 最多还能收 {max} {uom}，不能收 {requested}"),
    "location_full": ("{location} is full: scan another location",
                      "库位 {location} 已满，请扫描其他库位"),
    "order_not_receivable": ("{order} is {status}: it cannot be received",
                             "{order} 状态为 {status}，不能收货"),
    "no_printer_assigned": ("No printer for {kind} labels here: ask a supervisor",
                            "此处没有 {kind} 标签打印机，请联系主管"),
    "expected_number": ("Key a number, not {scanned}", "请输入数字，不是 {scanned}"),
    "qty_out_of_range": ("Key a number from {min} to {max}", "请输入 {min} 到 {max} 之间的数字"),
    "receipt_closed": ("This receipt is closed", "此收货单已关闭"),
    "invalid_date": ("{scanned} is not a date: key YYYY-MM-DD",
                     "{scanned} 不是日期，请输入 年-月-日"),
    "expected_container": ("Scan an LPN or SSCC, not {scanned}",
                           "请扫描托盘号或 SSCC，不是 {scanned}"),
    "container_in_use": ("Container {container} is in use elsewhere: scan another",
                         "容器 {container} 正在别处使用，请扫描其他容器"),
    "no_putaway_task": ("Nothing to put away for {scanned}", "{scanned} 没有待上架的任务"),
    "no_inspection": ("Nothing to inspect for {scanned}", "{scanned} 没有待检记录"),
    "return_not_found": ("No open return {scanned} here", "此仓库没有未发出的退货单 {scanned}"),
    "nothing_to_return_here": ("Nothing of {number} waits at {location}",
                               "库位 {location} 没有退货单 {number} 的商品"),
    "not_in_return": ("{scanned} is not to be returned from {location}",
                      "{scanned} 不在库位 {location} 的退货清单上"),
    "return_qty_mismatch": ("{expected} of {sku} to return, not {counted}: count again",
                            "{sku} 应退 {expected}，不是 {counted}，请重新清点"),
    "return_shipped": ("Return {number} shipped", "退货单 {number} 已发出"),
    "return_shipped_from": ("Shipped from {location}: scan the next location",
                            "已从 {location} 发出，请扫描下一个库位"),
    "inspection_done": ("This inspection is already recorded", "此质检已记录"),
    "already_decided": ("A supervisor already decided on this item", "主管已处理此商品"),
    "received": ("Received {qty} {uom} {sku} loose", "已收货 {qty} {uom} {sku}（散货）"),
    "received_into": ("Received {qty} {uom} {sku} into {container}",
                      "已收货 {qty} {uom} {sku}，托盘 {container}"),
    "received_for_qc": ("Received {qty} {uom} {sku}: take it to QC",
                        "已收货 {qty} {uom} {sku}，请送质检区"),
    "unexpected_reported": ("{sku} reported to a supervisor: set it aside",
                            "已上报主管：{sku}，请放在一边"),
    "receipt_closed_ok": ("Receipt closed: {tasks} to put away, {inspections} to inspect",
                          "收货完成：{tasks} 个上架任务，{inspections} 个待检"),
    "inspected": ("{accepted} accepted, {rejected} rejected", "合格 {accepted}，不合格 {rejected}"),
    "put_away": ("Put away at {location}", "已上架到 {location}"),
    "fixed_location": ("Fixed location of the item: {location}", "商品固定库位 {location}"),
    "same_item_in_location": ("Same item already in {location}", "同一商品已在 {location}"),
    "same_lot_in_location": ("Same lot {lot} already in {location}",
                             "同一批次 {lot} 已在 {location}"),
    "nearest_empty_in_zone": ("Nearest empty location in zone {zone}", "{zone} 区最近的空库位"),
    "abc_class_location": ("Empty {abc_class} location for this item's class",
                           "与商品 ABC 分类相符的空库位（{abc_class} 类）"),
    "no_location_fits": ("No location fits: ask a supervisor", "没有合适的库位，请联系主管"),
    "field.order": ("Order", "采购订单"),
    "field.supplier": ("Supplier", "供应商"),
    "field.return": ("Return", "退货单"),
    "field.lot": ("Lot", "批次"),
    "field.expiry": ("Expiry", "有效期至"),
    "field.serials": ("Serials", "序列号"),
    "field.why": ("Why", "原因"),
    "field.sample": ("Sample", "抽样"),
    "field.rejected": ("Rejected", "不合格"),
    "action.close": ("Close receipt", "完成收货"),
    "action.print": ("Print new LPN", "打印新托盘号"),
    "action.skip": ("Receive loose", "散货收货"),
    "action.no_note": ("No note", "无备注"),
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
