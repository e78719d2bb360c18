"""Strings of the device pages in zh-CN and English (until the console's Flask-Babel lands)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "printers": "Printers", "jobs": "Print jobs", "scales": "Scales", "code": "Code",
        "name": "Name", "state": "State", "detail": "Detail", "since": "Since",
        "test_print": "Test print", "status": "Check status", "printer": "Printer",
        "kind": "Label", "created": "Created", "attempts": "Attempts", "history": "History",
        "preview": "Preview", "reprint": "Reprint", "printed": "It printed",
        "not_printed": "Not printed: print again", "cancel": "Cancel",
        "weigh": "Read weight", "zero": "Zero", "tare": "Tare",
        "no_preview": "Previews need the optional zplkit extra; printing works without it.",
        "sent_note": "Sent means the printer received the label; raw ZPL never confirms printing.",
        "uncertain_note": "Interrupted SSCC/serial labels are never re-sent automatically.",
        "ready": "Ready", "paper_out": "Paper out", "ribbon_out": "Ribbon out",
        "head_open": "Head open", "paused": "Paused", "buffer_full": "Buffer full",
        "error": "Error", "offline": "Offline", "unknown": "Unknown - needs attention",
        "queued": "Queued", "sending": "Sending", "retry_wait": "Waiting for printer",
        "sent": "Sent", "uncertain": "Interrupted - check the label", "failed": "Failed",
        "cancelled": "Cancelled",
    },
    "zh": {
        "printers": "打印机", "jobs": "打印任务", "scales": "电子秤", "code": "编码",
        "name": "名称", "state": "状态", "detail": "详情", "since": "时间",
        "test_print": "测试打印", "status": "查询状态", "printer": "打印机",
        "kind": "标签", "created": "创建时间", "attempts": "尝试次数", "history": "历史",
        "preview": "预览", "reprint": "重打", "printed": "已打印",
        "not_printed": "未打印：重新打印", "cancel": "取消",
        "weigh": "读取重量", "zero": "置零", "tare": "去皮",
        "no_preview": "预览需要可选组件 zplkit；没有它也能正常打印。",
        "sent_note": "“已发送”表示打印机已收到标签；原始 ZPL 不会确认已打印。",
        "uncertain_note": "中断的 SSCC/序列号标签不会自动重发。",
        "ready": "就绪", "paper_out": "缺纸", "ribbon_out": "缺碳带", "head_open": "打印头打开",
        "paused": "暂停", "buffer_full": "缓冲区满", "error": "故障", "offline": "离线",
        "unknown": "未知 - 请检查", "queued": "排队中", "sending": "发送中",
        "retry_wait": "等待打印机", "sent": "已发送", "uncertain": "中断 - 请检查标签",
        "failed": "失败", "cancelled": "已取消",
    },
}


def strings(lang: str) -> dict[str, str]:
    return STRINGS["en"] if lang.lower().startswith("en") else STRINGS["zh"]
