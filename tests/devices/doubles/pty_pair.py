"""A serial cable made of two pseudo-terminals (socat), and devices serving one end."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import serial


@contextmanager
def socat_pair(directory: Path) -> Iterator[tuple[str, str]]:
    """Yield (device end, host end) paths; the host end is what the driver opens."""
    socat = shutil.which("socat")
    if socat is None:
        raise RuntimeError("socat is not installed (apt-get install socat)")
    device, host = directory / "scale", directory / "host"
    proc = subprocess.Popen(
        [socat, f"PTY,link={device},rawer,echo=0", f"PTY,link={host},rawer,echo=0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while not (device.exists() and host.exists()):
            if time.monotonic() > deadline:
                raise RuntimeError("socat did not create the pseudo-terminals")
            time.sleep(0.02)
        yield str(device), str(host)
    finally:
        proc.terminate()
        proc.wait(5)


def serve_lines(path: str, respond: Callable[[str], bytes], stop: threading.Event) -> None:
    """Answer each CR LF terminated command line on the device end of the cable."""
    with serial.Serial(path, 9600, timeout=0.05) as port:
        buffer = b""
        while not stop.is_set():
            buffer += port.read(64)
            while b"\r\n" in buffer:
                line, _, buffer = buffer.partition(b"\r\n")
                port.write(respond(line.decode("ascii", "replace").strip()))


def stream_frames(path: str, frame: Callable[[], bytes], stop: threading.Event,
                  hz: float = 20.0) -> None:
    """Send a frame ``hz`` times a second, as a continuous-output scale does."""
    with serial.Serial(path, 9600, timeout=0.05) as port:
        while not stop.is_set():
            port.write(frame())
            time.sleep(1 / hz)


@contextmanager
def running(target: Callable[..., None], *args: object) -> Iterator[threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(*args, stop), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(5)
