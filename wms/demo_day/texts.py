"""The day's narration, one line per step, in English and Chinese."""

from __future__ import annotations

from typing import Any

ACTORS: dict[str, tuple[str, str]] = {
    "erp": ("ERP", "ERP"),
    "receiver": ("Receiver", "收货员"),
    "inspector": ("QC inspector", "质检员"),
    "supervisor": ("Supervisor", "主管"),
    "picker": ("Picker", "拣货员"),
    "packer": ("Packer", "复核员"),
    "shipper": ("Shipper", "发货员"),
    "counter": ("Counter", "盘点员"),
    "recounter": ("Recounter", "复盘员"),
    "forklift": ("Forklift", "叉车"),
    "check": ("Check", "核对"),
}

#: What the PDA screen asked for, by flow state (docs/*.md name the states).
STATES: dict[str, tuple[str, str]] = {
    "scan_order": ("order", "订单"),
    "scan_item": ("item", "商品"),
    "scan_quantity": ("quantity", "数量"),
    "scan_container": ("container", "容器"),
    "scan_location": ("location", "库位"),
    "scan_source": ("source", "源库位"),
    "scan_destination": ("destination", "目标库位"),
    "confirm_destination": ("confirm destination", "确认目标库位"),
    "scan_tote": ("tote", "周转箱"),
    "short_reason": ("short reason", "短拣原因"),
    "scan_sample": ("sample", "抽样"),
    "scan_rejected": ("rejected", "不合格"),
    "scan_note": ("note", "备注"),
    "weigh": ("scale", "称重"),
    "next_package": ("next package", "下一包裹"),
    "scan_dock": ("dock", "月台"),
    "scan_package": ("package", "包裹"),
}

TEXTS: dict[str, tuple[str, str]] = {
    "start": (
        "The day starts on {url} (a step every {pace} s)",
        "开始一天的作业：{url}（每步间隔 {pace} 秒）",
    ),
    "subscribed": ("subscribed to webhooks at {url}", "已订阅 Webhook：{url}"),
    "po_pushed": (
        "pushed purchase order {po} from {supplier}: {lines}",
        "推送采购订单 {po}（供应商 {supplier}）：{lines}",
    ),
    "so_pushed": (
        "pushed sales order {so} ({status}): {lines}",
        "推送销售订单 {so}（{status}）：{lines}",
    ),
    "signed_in": ("badge {badge} signed in on {device}", "刷工牌 {badge} 登录 {device}"),
    "console_in": ("signed in to the console", "登录控制台"),
    "scan": ("{state}: scanned {value}", "{state}：扫描 {value}"),
    "key": ("{state}: pressed {fkey} {action}", "{state}：按 {fkey} {action}"),
    "screen": ("→ {text}", "→ {text}"),
    "label": (
        "label {ref} printed on {printer} ({kind})",
        "标签 {ref} 已在 {printer} 打印（{kind}）",
    ),
    "approved_order": (
        "approved held order {so} ({reasons})",
        "审核通过挂起订单 {so}（{reasons}）",
    ),
    "allocated": ("allocated stock to the reviewed orders", "已为已审核订单分配库存"),
    "wave": ("released a cluster wave: {text}", "释放集合拣货波次：{text}"),
    "assigned": ("assigned {type} task {task} to {user}", "将{type}任务 {task} 分配给 {user}"),
    "bound": (
        "scanned the station label {station}: scale {scale}",
        "扫描工作台 {station}：秤 {scale}",
    ),
    "scale": ("put the parcel on the scale: {grams} g", "包裹放上秤：{grams} 克"),
    "variance": (
        "variance at {location}: {sku} counted {counted}, book {expected} ({status})",
        "{location} 差异：{sku} 盘点 {counted}，账面 {expected}（{status}）",
    ),
    "variance_approved": (
        "approved the variance: {diff} {sku} booked at {location}",
        "批准差异：{location} 调整 {diff} {sku}",
    ),
    "replenish": ("replenishment check: {count} task(s)", "补货检查：生成 {count} 个任务"),
    "reorder": ("reorder check: {text}", "安全库存检查：{text}"),
    "requisition": (
        "{sku} available {available} < reorder point {point}, suggest {qty}",
        "{sku} 可用 {available} < 再订货点 {point}，建议采购 {qty}",
    ),
    "webhook": ("webhook {type} received, signature {ok}", "收到 Webhook {type}，签名{ok}"),
    "sig_ok": ("valid", "正确"),
    "sig_bad": ("INVALID", "错误"),
    "summary": ("Summary of the day", "今日小结"),
    "sum_po": (
        "purchase order {po}: {status}, {putaway} put away",
        "采购订单 {po}：{status}，上架 {putaway}",
    ),
    "sum_so": (
        "sales order {so}: {status}, shipped {shipped}",
        "销售订单 {so}：{status}，已发 {shipped}",
    ),
    "sum_count": ("count at {location}: {status}", "{location} 盘点：{status}"),
    "sum_tasks": ("tasks of the day still in progress: {count}", "今日仍在进行中的任务：{count}"),
    "sum_hooks": (
        "webhooks: {count} received, {bad} with a bad signature ({types})",
        "Webhook：收到 {count} 个，签名错误 {bad} 个（{types}）",
    ),
    "sum_ledger": (
        "ledger: {quants} quants, {moves} moves, {problems} discrepancies",
        "库存账：{quants} 条库存，{moves} 条移动，{problems} 处差异",
    ),
    "sum_ok": ("The day is complete and the books balance.", "今日作业全部完成，账实相符。"),
    "sum_failed": ("The day is NOT complete: {problems}", "今日作业未完成：{problems}"),
    "none": ("none", "无"),
}


def line(key: str, lang: str, **params: Any) -> str:
    en, zh = TEXTS[key]
    return (zh if lang.startswith("zh") else en).format(**params)


def state(name: str, lang: str) -> str:
    en, zh = STATES.get(name, (name, name))
    return zh if lang.startswith("zh") else en


def actor(key: str, lang: str) -> str:
    en, zh = ACTORS[key]
    return zh if lang.startswith("zh") else en
