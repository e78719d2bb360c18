"""Print latency: commit of the business transaction -> bytes received by the printer.

Run by hand: ``python -m benchmarks.print_latency [--jobs 1000] [--printers 10]
[--rate 100] [--drop 0.10] [--database-url URL]``.

Ten fake Zebra printers (real TCP on 127.0.0.1) drop the connection in the
middle of 10 % of jobs. Jobs are queued one per transaction at a steady
rate, round-robin over the printers; the spooler sends them after commit.
Reported: p50/p99 latency for the spooler, the same for a direct socket
write of the same bytes in the same run, and duplicates / missing jobs.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from wms.db import make_engine, make_session_factory
from wms.devices.fakes.zebra_server import FakePrinterState, FakeZebraServer
from wms.devices.spooler import PrintSpooler, RetryPolicy
from wms.devices.zebra import tcp_printer
from wms.model import Base, Printer, PrinterDriver
from wms.services import printing
from wms.services.spool import SpoolStore


class Arrivals:
    """Arrival time of every complete job, by ^FXJOB reference."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def __call__(self, job: bytes, at: float) -> None:
        start = job.find(b"^FXJOB:") + 7
        ref = job[start : job.find(b"^", start)].decode()
        with self.lock:
            self.times.setdefault(ref, []).append(at)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_spooler(args: argparse.Namespace, url: str) -> dict[str, object]:
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    arrivals = Arrivals()
    servers = [FakeZebraServer(FakePrinterState(drop_probability=args.drop), on_job=arrivals)
               .start() for _ in range(args.printers)]
    drivers = {}
    with factory.begin() as s:
        for n, server in enumerate(servers):
            code = f"BENCH-{n:02d}"
            s.add(Printer(code=code, name=code, driver=PrinterDriver.tcp, address="127.0.0.1",
                          port=server.port))
            drivers[code] = tcp_printer(code, "127.0.0.1", server.port, io_timeout=1.0)
    spooler = PrintSpooler(SpoolStore(factory), drivers.__getitem__, poll_interval=0.5,
                           health_interval=3600, policy=RetryPolicy(first_delay=0.05))
    printing.notify_after_commit(factory, spooler.wake)
    spooler.start(drivers)
    committed: dict[str, float] = {}
    codes = sorted(drivers)
    for n in range(args.jobs):
        with factory.begin() as s:
            job = printing.queue_print_job(
                s, kind="location", data={"code": f"A-{n:05d}", "check_digits": "00"},
                printer_code=codes[n % len(codes)])
            ref = job.ref
        committed[ref] = time.perf_counter()
        time.sleep(1 / args.rate)
    deadline = time.monotonic() + 120
    while len(arrivals.times) < args.jobs and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # let any late duplicate arrive before counting
    spooler.stop()
    latencies = [arrivals.times[r][0] - t for r, t in committed.items() if r in arrivals.times]
    counts = Counter({r: len(t) for r, t in arrivals.times.items()})
    for server in servers:
        server.stop()
    engine.dispose()
    return {
        "latencies": latencies,
        "missing": args.jobs - len(latencies),
        "duplicates": sum(c - 1 for c in counts.values() if c > 1),
        "disconnects": sum(len(s.partial_jobs) for s in servers),
    }


def run_direct(args: argparse.Namespace) -> list[float]:
    """The floor: connect and sendall the same kind of bytes, no database, no status."""
    arrivals = Arrivals()
    server = FakeZebraServer(on_job=arrivals).start()
    sample = printing.default_renderer().render("location", {"code": "A-00000",
                                                            "check_digits": "00"}, job_ref="X")
    started: dict[str, float] = {}
    for n in range(args.jobs):
        ref = f"direct{n}"
        data = sample.replace("^FXJOB:X", f"^FXJOB:{ref}").encode()
        started[ref] = time.perf_counter()
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
            sock.sendall(data)
        time.sleep(1 / args.rate)
    server.wait_for_jobs(args.jobs, timeout=30)
    server.stop()
    return [arrivals.times[r][0] - t for r, t in started.items() if r in arrivals.times]


def report(name: str, latencies: list[float]) -> str:
    ms = [x * 1000 for x in latencies]
    return (f"{name:<28} n={len(ms):>5}  p50={percentile(ms, 50):8.2f} ms  "
            f"p99={percentile(ms, 99):8.2f} ms  max={max(ms):8.2f} ms  "
            f"mean={statistics.fmean(ms):7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--printers", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0, help="jobs committed per second")
    parser.add_argument("--drop", type=float, default=0.10, help="share of jobs disconnected")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        result = run_spooler(args, url)
    direct = run_direct(args)
    print(f"database: {url.split('://')[0]}, {args.jobs} jobs, {args.printers} printers, "
          f"{args.rate:g} jobs/s, {args.drop:.0%} of jobs disconnected mid-job")
    print(report("spooler (commit -> bytes)", result["latencies"]))  # type: ignore[arg-type]
    print(report("direct socket write", direct))
    print(f"disconnects injected: {result['disconnects']}, duplicates: {result['duplicates']}, "
          f"missing: {result['missing']}")


if __name__ == "__main__":
    main()
