"""Mettler Toledo MT-SICS: request/response over serial, each line ending CR LF.

    S   -> "S S <value> <unit>" stable | "S I" busy | "S +" overload | "S -" underload
    SI  -> "S S ..." stable | "S D ..." dynamic (unstable), same error replies
    Z   -> "Z A" zeroed | "Z I" not executed | "Z +" / "Z -" out of range
    T   -> "T S <tare> <unit>" | "T I" | "T +" | "T -"
    @   -> reset (answers with the serial number line "I4 A ...")
    any -> "ES" syntax error | "ET" transmission error | "EL" logical error
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from wms.devices.errors import (
    ScaleCommandFailed,
    ScaleError,
    ScaleNoReply,
    ScaleOverload,
    ScaleUnderload,
)
from wms.devices.ports import Weight
from wms.devices.scales.reader import stable_weight
from wms.devices.scales.serial_port import SerialConfig, SerialLine
from wms.devices.scales.units import to_grams

_REPLY = re.compile(r"^(S|SI|Z|T|TA|TAC|I4|@)\s+([SDAI+\-])(?:\s+(-?\s*[\d.]+)\s+(\S+))?\s*$")


@dataclass(frozen=True)
class SicsReply:
    command: str
    status: str
    value: Decimal | None = None
    unit: str | None = None
    raw: bytes = b""


def parse_reply(line: bytes) -> SicsReply:
    """Parse one reply line; ValueError for anything that is not well formed."""
    text = line.decode("ascii", "strict").strip("\r\n")
    if text in ("ES", "ET", "EL"):
        return SicsReply(command=text, status="E", raw=line)
    match = _REPLY.match(text)
    if not match:
        raise ValueError(f"not an MT-SICS reply: {line!r}")
    command, status, value, unit = match.groups()
    amount = None
    if value is not None:
        try:
            amount = Decimal(value.replace(" ", ""))
        except InvalidOperation:
            raise ValueError(f"bad weight in {line!r}") from None
    elif status in ("S", "D") and command in ("S", "SI", "T"):
        raise ValueError(f"weight missing in {line!r}")
    return SicsReply(command=command, status=status, value=amount, unit=unit, raw=line)


def weight_from(reply: SicsReply) -> Weight | None:
    """A reading, None when busy; raises on overload, underload and error replies."""
    if reply.status == "+":
        raise ScaleOverload("scale is overloaded: take load off")
    if reply.status == "-":
        raise ScaleUnderload("scale is below zero: zero it with an empty platform")
    if reply.status == "E":
        raise ScaleCommandFailed(f"scale replied {reply.command}")
    if reply.status == "I" or reply.value is None or reply.unit is None:
        return None
    return Weight(grams=to_grams(reply.value, reply.unit), stable=reply.status == "S",
                  raw=reply.raw)


class MtSicsScale:
    def __init__(self, code: str, config: SerialConfig, *, window: int = 3,
                 tolerance_g: int = 0, deadline_s: float = 5.0, interval_s: float = 0.1) -> None:
        self.code = code
        self.line = SerialLine(config)
        self.window, self.tolerance_g = window, tolerance_g
        self.deadline_s, self.interval_s = deadline_s, interval_s

    def command(self, text: str) -> SicsReply:
        raw = self.line.ask(text.encode("ascii") + b"\r\n")
        try:
            return parse_reply(raw)
        except (ValueError, UnicodeDecodeError):
            raise ScaleError(f"{self.code}: garbled reply {raw!r}") from None

    def _sample(self) -> Weight | None:
        try:
            return weight_from(self.command("SI"))
        except (ScaleOverload, ScaleUnderload, ScaleNoReply):
            raise
        except ScaleError:
            return None  # garbled frame or error reply: skipped, never misread

    def read(self) -> Weight:
        weight = weight_from(self.command("SI"))
        if weight is None:
            raise ScaleCommandFailed(f"{self.code} is busy")
        return weight

    def read_stable(self) -> Weight:
        return stable_weight(self._sample, window=self.window, tolerance_g=self.tolerance_g,
                             deadline_s=self.deadline_s, interval_s=self.interval_s)

    def zero(self) -> None:
        reply = self.command("Z")
        if reply.status != "A":
            weight_from(reply)  # raises for + / - / E
            raise ScaleCommandFailed(f"{self.code} could not zero: keep the platform still")

    def tare(self) -> Weight:
        reply = self.command("T")
        weight = weight_from(reply)
        if weight is None:
            raise ScaleCommandFailed(f"{self.code} could not tare: keep the load still")
        return Weight(grams=0, stable=True, net=True, tare_grams=weight.grams, raw=reply.raw)

    def close(self) -> None:
        self.line.close()


__all__ = ["MtSicsScale", "SicsReply", "parse_reply", "weight_from"]
