"""A fake Zebra printer on 127.0.0.1: a real TCP server for tests, benchmarks and demos.

It splits the byte stream into ``^XA ... ^XZ`` formats (``jobs``), answers
``~HS``, ``~HQES`` and ``~HI`` in Zebra's layout with configurable states,
and misbehaves on request: silent (never answers), silent while in error
(as Zebra documents), refusing connections (port closed), or dropping the
connection in the middle of a job.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

STX, ETX, CRLF = b"\x02", b"\x03", b"\r\n"
_LINGER_RESET = struct.pack("ii", 1, 0)


@dataclass
class FakePrinterState:
    paper_out: bool = False
    paused: bool = False
    head_open: bool = False
    ribbon_out: bool = False
    labels_remaining: int = 0
    #: Never answer a status query (a printer whose firmware is busy or odd).
    silent: bool = False
    #: Zebra documents no ~HS reply while media is out, ribbon out or head open.
    silent_on_error: bool = False
    #: Drop the connection after this many bytes of the next ``drop_count`` jobs.
    drop_after_bytes: int | None = None
    drop_count: int = 0
    #: Probability that any job's connection is dropped mid-job (benchmarks).
    drop_probability: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(4))

    @property
    def in_error(self) -> bool:
        return self.paper_out or self.head_open or self.ribbon_out


def host_status_reply(s: FakePrinterState) -> bytes:
    one = f"030,{int(s.paper_out)},{int(s.paused)},1218,000,0,0,0,000,0,0,0"
    two = f"001,0,{int(s.head_open)},{int(s.ribbon_out)},0,2,6,0,{s.labels_remaining:08d},1,000"
    return b"".join(STX + p.encode() + ETX + CRLF for p in (one, two, "1234,0"))


def extended_status_reply(s: FakePrinterState) -> bytes:
    errors = (1 if s.paper_out else 0) | (2 if s.ribbon_out else 0) | (4 if s.head_open else 0)
    errors |= 0x10000 if s.paused else 0
    flag = 1 if errors else 0
    return (STX + CRLF + b"  PRINTER STATUS" + CRLF
            + f"    ERRORS:         {flag} 00000000 {errors:08X}".encode() + CRLF
            + b"    WARNINGS:       0 00000000 00000000" + CRLF + ETX)


class FakeZebraServer:
    """Start with ``start()``; ``port`` is ephemeral; ``jobs`` holds complete formats."""

    def __init__(self, state: FakePrinterState | None = None,
                 on_job: Callable[[bytes, float], None] | None = None) -> None:
        self.state = state or FakePrinterState()
        self.on_job = on_job
        self.jobs: list[bytes] = []
        self.partial_jobs: list[bytes] = []
        self.status_queries = 0
        self.connections = 0
        self.port = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()

    # ---------------------------------------------------------- control ---

    def start(self) -> FakeZebraServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(16)
        sock.settimeout(0.2)
        self.port = sock.getsockname()[1]
        self._listener = sock
        self._stopping.clear()
        threading.Thread(target=self._accept_loop, args=(sock,), daemon=True,
                         name=f"fake-zebra-{self.port}").start()
        return self

    def refuse(self) -> None:
        """Power off: the port closes, connects are refused. ``start()`` powers on."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        time.sleep(0.25)

    stop = refuse

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` complete jobs arrived (a blind send returns before that)."""
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return len(self.jobs) >= count

    def job_refs(self) -> list[str]:
        """The ``^FXJOB:<ref>`` of every complete job, in arrival order."""
        refs = []
        for job in list(self.jobs):
            marker = job.find(b"^FXJOB:")
            if marker >= 0:
                end = job.find(b"^", marker + 7)
                refs.append(job[marker + 7 : end].decode())
        return refs

    # ----------------------------------------------------------- server ---

    def _accept_loop(self, sock: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        pending = b""
        stream = b""  # everything received on this connection
        drop_at: int | None = None  # absolute stream offset at which to drop
        decided = False
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                if not decided and b"^XA" in stream + chunk:
                    decided = True
                    after = self._drop_point()
                    if after is not None:
                        drop_at = (stream + chunk).find(b"^XA") + after
                stream += chunk
                if drop_at is not None and len(stream) > drop_at:
                    keep = len(chunk) - (len(stream) - drop_at)
                    self._record_partial(pending + chunk[: max(0, keep)])
                    # Linger 0: close with RST, as a printer losing power would.
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                    return
                pending = self._consume(conn, pending + chunk)

    def _drop_point(self) -> int | None:
        """Bytes of the job to accept before dropping the connection, or None."""
        s = self.state
        with self._lock:
            if s.drop_after_bytes is not None and s.drop_count > 0:
                s.drop_count -= 1
                return s.drop_after_bytes
            if s.drop_probability and s.rng.random() < s.drop_probability:
                return 40
        return None

    def _record_partial(self, data: bytes) -> None:
        start = data.find(b"^XA")
        if start >= 0:
            self.partial_jobs.append(data[start:])

    def _consume(self, conn: socket.socket, buf: bytes) -> bytes:
        while buf:
            buf = buf.lstrip(b"\r\n\t ")
            if buf.startswith(b"~HQES"):
                buf = buf[5:]
                self._reply(conn, extended_status_reply(self.state))
            elif buf.startswith(b"~HS"):
                buf = buf[3:]
                self._reply(conn, host_status_reply(self.state))
            elif buf.startswith(b"~HI"):
                buf = buf[3:]
                self._reply(conn, STX + b"ZD621-203dpi,V93.21.15Z,8,8192KB" + ETX + CRLF)
            elif buf.startswith(b"^XA"):
                end = buf.find(b"^XZ")
                if end < 0:
                    return buf
                self._record_job(buf[: end + 3])
                buf = buf[end + 3 :]
            elif len(buf) < 5 and (b"~HQES".startswith(buf) or b"^XA".startswith(buf)):
                return buf
            else:
                buf = buf[1:]
        return buf

    def _reply(self, conn: socket.socket, data: bytes) -> None:
        self.status_queries += 1
        s = self.state
        if s.silent or (s.silent_on_error and s.in_error):
            return
        with contextlib.suppress(OSError):
            conn.sendall(data)

    def _record_job(self, job: bytes) -> None:
        with self._lock:
            self.jobs.append(job)
        if self.on_job is not None:
            self.on_job(job, time.perf_counter())
