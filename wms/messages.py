"""The operator message catalog: every terminal and task-board text by code, in en and zh_CN.

Codes are the ``WmsError.code`` values plus screen texts (``move.*``,
``field.*``, ``action.*``) and board texts (``board.*``). Messages are
short, imperative and name the barcode: "Scan A-03-12-2, not A-03-12-3".
No Flask here: the core renders screens, the edges pick the locale.
"""

from __future__ import annotations

from typing import Any

from wms.outbound_messages import OUTBOUND_CATALOG

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
    # -- inventory control: counting, status changes, replenishment, transfers ---------------
    "count.title": ("Count", "盘点"),
    "count.scan_location": ("Scan the location to count", "请扫描要盘点的库位"),
    "count.scan_location.expected": ("Scan location {location}", "请扫描库位 {location}"),
    "count.scan_item": ("Scan every item or container here", "请逐一扫描库位内的商品或容器"),
    "count.scan_lot": ("Scan or key the lot of {sku}", "请扫描或输入 {sku} 的批次"),
    "count.scan_quantity": ("Key the quantity of {sku} or scan it again",
                            "请输入 {sku} 的数量或再次扫描"),
    "count.done": ("Count of {location} finished", "{location} 盘点完成"),
    "counted": ("Counted {qty} {uom} {sku}", "已盘 {qty} {uom} {sku}"),
    "count_finished": ("Count of {location} sent", "{location} 盘点已提交"),
    "count_location_empty": ("{location} confirmed empty", "已确认 {location} 为空"),
    "confirm_location_empty": ("Nothing counted: press Location empty if it is empty",
                               "未盘到商品：如库位为空请按“库位为空”"),
    "recount_by_another_operator": ("You counted this location: another operator must recount it",
                                    "此库位由您初盘，复盘须由其他作业员完成"),
    "unknown_lot_number": ("{scanned} is not a lot of {sku}", "{scanned} 不是 {sku} 的批次"),
    "approval_needs_supervisor": ("Only a supervisor may decide a variance",
                                  "只有主管可以审批差异"),
    "adjustment_would_go_negative": ("The adjustment would make stock negative",
                                     "调整会导致负库存"),
    "field.location": ("Location", "库位"),
    "transfer.title": ("Transfer", "调拨"),
    "transfer.scan_order": ("Scan the transfer order", "请扫描调拨单"),
    "transfer.scan_source": ("Scan the location to ship from", "请扫描发货库位"),
    "transfer.scan_destination": ("Scan the location to put it in", "请扫描收货库位"),
    "transfer.scan_quantity": ("Key the quantity of {sku}", "请输入 {sku} 的数量"),
    "transfer.done": ("Transfer {order} done here", "调拨单 {order} 本端完成"),
    "transfer_booked": ("{qty} {sku} booked at {location}", "{qty} {sku} 已记入 {location}"),
    "transfer_dispatched": ("{order} is in transit", "{order} 已在途"),
    "transfer_received": ("{order} received in full", "{order} 已全部收货"),
    "transfer_discrepancy": ("{order} received with {lines} discrepancy line(s)",
                             "{order} 收货有 {lines} 行差异"),
    "transfer_not_ready": ("Transfer {order} is {status}: nothing to do here",
                           "调拨单 {order} 状态为 {status}，此处无法操作"),
    "over_shipment": ("Only {remaining} left to ship on {order}", "{order} 仅剩 {remaining} 可发"),
    "field.order": ("Order", "单据"),
    "action.dispatch": ("Dispatch", "发运"),
    "action.close": ("Close receipt", "完成收货"),
    "status.title": ("Change status", "库存状态变更"),
    "status.scan_location": ("Scan the location of the stock", "请扫描库存所在库位"),
    "status.choose": ("Choose the new status", "请选择新状态"),
    "status.scan_reason": ("Key or scan the reason for {status}",
                           "请输入或扫描变更为 {status} 的原因"),
    "status.done": ("Status changed", "状态已变更"),
    "status_changed": ("{qty} {uom} {sku} now {status}", "{qty} {uom} {sku} 已变更为 {status}"),
    "field.status": ("Status", "状态"),
    "action.quarantine": ("Quarantine", "隔离"),
    "action.hold": ("Hold", "冻结"),
    "action.damaged": ("Damaged", "残损"),
    "action.available": ("Available", "可用"),
    "field.lot": ("Lot", "批次"),
    "action.finish": ("Finish count", "完成盘点"),
    "action.empty": ("Location empty", "库位为空"),
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

CATALOG.update(OUTBOUND_CATALOG)

#: The console task board's texts.
BOARD: dict[str, tuple[str, str]] = {
    "board.title": ("Task board", "任务看板"),
    "board.tasks": ("Tasks", "任务"),
    "board.status": ("Status", "状态"),
    "board.zone": ("Zone", "库区"),
    "board.operator": ("Operator", "作业员"),
    "board.priority": ("Priority", "优先级"),
    "board.age": ("Older than (min)", "超过（分钟）"),
    "board.type": ("Type", "类型"),
    "board.task": ("Task", "任务"),
    "board.from": ("From", "源库位"),
    "board.to": ("To", "目标库位"),
    "board.item": ("Item", "商品"),
    "board.qty": ("Quantity", "数量"),
    "board.due": ("Due", "截止"),
    "board.lease": ("Lease until", "租约至"),
    "board.actions": ("Actions", "操作"),
    "board.assign": ("Assign", "分配"),
    "board.reprioritise": ("Priority", "优先级"),
    "board.split": ("Split", "拆分"),
    "board.cancel": ("Cancel", "取消"),
    "board.release": ("Release", "释放"),
    "board.history": ("History", "历史"),
    "board.presence": ("Operators", "作业员"),
    "board.online": ("Online", "在线"),
    "board.offline": ("Offline", "离线"),
    "board.exceptions": ("Exceptions", "异常"),
    "board.filter": ("Filter", "筛选"),
    "board.all": ("All", "全部"),
    "board.prev": ("Previous", "上一页"),
    "board.next": ("Next", "下一页"),
    "board.live": ("Live", "实时"),
    "board.reconnecting": ("Reconnecting…", "正在重连…"),
    "board.ask_qty": ("Quantity to split off", "拆分数量"),
    "board.ask_priority": ("New priority (1-9)", "新优先级（1-9）"),
    "board.ask_reason": ("Reason", "原因"),
    "board.choose_operator": ("Choose an operator", "选择作业员"),
    "board.current_task": ("Current task", "当前任务"),
    "board.last_seen": ("Last seen", "最近在线"),
    "board.device": ("Device", "设备"),
    "board.open_tasks": ("Open tasks", "未完成任务"),
    "board.close": ("Close", "关闭"),
    "board.status.created": ("Created", "已创建"),
    "board.status.released": ("Released", "待领取"),
    "board.status.assigned": ("Assigned", "已分配"),
    "board.status.in_progress": ("In progress", "作业中"),
    "board.status.done": ("Done", "已完成"),
    "board.status.cancelled": ("Cancelled", "已取消"),
    "board.status.exception": ("Exception", "异常"),
    "board.type.putaway": ("Putaway", "上架"),
    "board.type.pick": ("Pick", "拣货"),
    "board.type.pack_check": ("Pack check", "复核"),
    "board.type.count": ("Count", "盘点"),
    "board.type.replenish": ("Replenish", "补货"),
    "board.type.move": ("Move", "移库"),
}
CATALOG.update(BOARD)


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
