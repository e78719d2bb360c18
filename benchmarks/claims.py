"""Next-task claims over 100k released tasks on PostgreSQL: our claim vs plain FOR UPDATE.

Run by hand (it recreates the database it is given):

    python -m benchmarks.claims --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_tasks

For 1, 4, 8 and 16 concurrent claimers, each strategy claims for
``--seconds``. By default (``--scope request``) a claim is what a
terminal's "next task" runs once its cookie is checked
(``pull.next_task_request``: the signed-in user read, the operator's own
task or a claim from the pool, presence, the task's codes and names; on
PostgreSQL one statement that is its own transaction), as a different
operator each time; ``--scope claim`` measures the user read and the pool
claim alone, in a transaction. "Plain" is the same code with the pool claim
swapped for the textbook one (``skip_locked=False``): in a transaction, a
waiting ``SELECT ... FOR UPDATE`` of the head, then the same claim. The
pool is reset between runs. Each claimer is its own process with its own
connection, as server workers are, so the Python client's GIL does not cap
the claim rate. Double claims are counted from the recorded transitions (a
task claimed twice would have two "claimed" rows).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import random
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from wms.db import make_engine, make_session_factory, one_statement, unit_of_work
from wms.errors import NotSignedIn
from wms.model import (
    Base,
    Task,
    TaskStatus,
    TaskTransition,
    TaskType,
    User,
    utcnow,
)
from wms.services import claims, masterdata, presence, pull


class Sessions(NamedTuple):
    """A claimer's transactions and its one-statement work, as a server worker has them
    (``wms.web.context``)."""

    transaction: sessionmaker[Session]
    engine: Engine


#: One claim request: (sessions, operator id, warehouse id, skip_locked) -> claimed anything?
Claim = Callable[[Sessions, int, int, bool], bool]


def claim_alone(sessions: Sessions, user_id: int, warehouse_id: int, skip_locked: bool) -> bool:
    """Scope "claim": the user read and the pool claim, and nothing else in the transaction."""
    with unit_of_work(sessions.transaction) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotSignedIn
        return bool(claims.claim_from_pool(s, user=user, warehouse_id=warehouse_id,
                                           device_id="bench", lease_seconds=900,
                                           skip_locked=skip_locked))


def next_task_request(sessions: Sessions, user_id: int, warehouse_id: int,
                      skip_locked: bool) -> bool:
    """Scope "request": what ``POST /t/api/tasks/next`` runs once the cookie is checked."""
    return bool(pull.next_task_request(
        lambda: one_statement(sessions.engine), lambda: unit_of_work(sessions.transaction),
        user=user_id, warehouse_id=warehouse_id, device_id="bench", lease_seconds=900,
        skip_locked=skip_locked))


SCOPES: dict[str, Claim] = {"claim": claim_alone, "request": next_task_request}


#: Operators per run, shared out among its claimer processes: each request comes from one who
#: holds no task yet (one who does gets theirs back, not a claim), so a run needs more of them
#: than it can claim (one claimer alone makes over a thousand claims a second).
OPERATORS = 25_000


def setup(url: str, tasks: int) -> tuple[Engine, int, list[int], list[int]]:
    """The pool, and the operators: not located, and located."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{target.database}"'))
        conn.execute(text(f'create database "{target.database}"'))
    admin.dispose()
    engine = make_engine(url, pool_size=20, max_overflow=0)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        wh = masterdata.create_warehouse(s, code="BENCH", name="Bench")
        count = 2 * OPERATORS
        ids = list(s.scalars(insert(User).returning(User.id), [
            {"username": f"op{i}", "display_name": f"Op {i}", "skills": [], "locale": "en",
             "active": True} for i in range(count)]))
        # 10 aisles of 20 one-metre bays: "nearest" has somewhere to rank tasks from.
        places = [masterdata.create_location(s, warehouse=wh, code=f"A-{a:02d}-{b:02d}-1",
                                             aisle_index=a, x=Decimal(b))
                  for a in range(10) for b in range(20)]
        here = places[25]
        # Everyone is signed in (a terminal's presence row exists from its first request);
        # the second half also scanned a location, so "nearest" applies to them.
        located = ids[count // 2:]
        s.execute(presence.seen_statement("postgresql"), [
            presence.seen_params(user_id=i, device_id="bench", warehouse_id=wh.id,
                                 location_id=here.id if n >= count // 2 else None)
            for n, i in enumerate(ids)])
        now = utcnow()
        rows = [{"warehouse_id": wh.id, "type": TaskType.pick, "status": TaskStatus.released,
                 "priority": random.randint(1, 9),
                 "due_at": now + timedelta(minutes=random.randint(0, 600)),
                 "from_location_id": random.choice(places).id,
                 "route_seq": 0, "group_lead": False, "done_qty": 0,
                 "created_at": now, "updated_at": now} for _ in range(tasks)]
        for start in range(0, tasks, 10_000):
            s.execute(insert(Task), rows[start:start + 10_000])
        wh_id = wh.id

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("vacuum analyze"))
    return engine, wh_id, ids[:count // 2], located


def reset(engine: Engine) -> None:
    with make_session_factory(engine)() as s, s.begin():
        s.execute(delete(TaskTransition))
        s.execute(update(Task).values(status=TaskStatus.released, assignee_id=None,
                                      assigned_at=None, lease_expires_at=None))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("vacuum analyze task"))


def _claimer(url: str, warehouse_id: int, user_ids: list[int], strategy: str, scope: str,
             seconds: float, ready: Any, go: Any, out: Any) -> None:
    """One claimer process with its own connection, like a server worker.

    Strategy "plain" is the same code with ``skip_locked=False``: the
    textbook claim, a waiting ``SELECT ... FOR UPDATE`` of the head and then
    the same claim of that row.
    """
    engine = make_engine(url, pool_size=1, max_overflow=0)
    sessions = Sessions(make_session_factory(engine), engine)
    claim, skip_locked = SCOPES[scope], strategy != "plain"
    # Warm up, as a long-running server worker is: the connection open, the statements
    # compiled and prepared (psycopg prepares a statement at its fifth run). The asks are
    # for an operator who does not exist, so nothing is claimed.
    for _ in range(6):
        with contextlib.suppress(NotSignedIn):
            claim(sessions, 0, warehouse_id, skip_locked)
    ready.put(True)
    go.wait()
    count, tries, stop_at, cpu = 0, 0, time.monotonic() + seconds, time.process_time()
    # Each request as the next operator, who holds nothing yet.
    for user_id in user_ids:
        if time.monotonic() >= stop_at:
            break
        tries += 1
        if claim(sessions, user_id, warehouse_id, skip_locked):
            count += 1
    else:
        print(f"a claimer ran out of operators after {tries} requests: raise OPERATORS",
              flush=True)
    cpu = time.process_time() - cpu
    engine.dispose()
    if os.environ.get("BENCH_DEBUG"):
        print(f"claimer: {count} claims in {tries} tries, {cpu:.2f}s CPU", flush=True)
    out.put((count, cpu))


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every core), from /proc/stat; 0 elsewhere."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run(url: str, engine: Engine, warehouse_id: int, user_ids: list[int], strategy: str,
        scope: str, workers: int, seconds: float) -> tuple[int, int, float, float]:
    """Claims made, double claims, and CPU seconds per claim: the claimers', the machine's.

    The machine's is everything busy while the claimers ran (claimers,
    PostgreSQL, and whatever else ran): when it is near the core count times
    the run's length, the claims were bound by CPU, not by waiting.
    """
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_claimer, args=(url, warehouse_id, user_ids[i::workers], strategy,
                                                scope, seconds, ready, go, out))
             for i in range(workers)]
    for proc in procs:
        proc.start()
    for _ in procs:  # every process imported and connected before the clock starts
        ready.get()
    busy = busy_seconds()
    go.set()
    done = [out.get() for _ in procs]
    busy = busy_seconds() - busy
    total, cpu = sum(n for n, _ in done), sum(c for _, c in done)
    for proc in procs:
        proc.join()
    with make_session_factory(engine)() as s:
        claimed = s.scalar(select(func.count()).select_from(TaskTransition)
                           .where(TaskTransition.reason == "claimed")) or 0
        distinct = s.scalar(select(func.count(func.distinct(TaskTransition.task_id)))
                            .where(TaskTransition.reason == "claimed")) or 0
    assert claimed == total, (claimed, total)
    return total, claimed - distinct, cpu / max(total, 1), busy / max(total, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,4,8,16")
    parser.add_argument("--scope", choices=sorted(SCOPES), default="request",
                        help="request: the whole next-task transaction (default); "
                             "claim: the pool claim alone")
    args = parser.parse_args()
    levels = [int(x) for x in args.workers.split(",")]
    engine, warehouse_id, ids, located = setup(args.url, args.tasks)
    print(f"{args.tasks} released tasks, {args.seconds}s per run, scope {args.scope!r}; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    print("| claimers | ours: SKIP LOCKED in the claim | ours, operator located (nearest) "
          "| plain FOR UPDATE | ratio (ours / plain) | double claims (ours / located / plain) "
          "| claimer CPU per claim, ms (ours / located / plain) "
          "| machine CPU per claim, ms (ours / located / plain) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workers in levels:
        results = {}
        for name, strategy, who in (("ours", "ours", ids), ("near", "ours", located),
                                    ("plain", "plain", ids)):
            reset(engine)
            total, doubles, cpu, busy = run(args.url, engine, warehouse_id, who, strategy,
                                            args.scope, workers, args.seconds)
            results[name] = (total / args.seconds, doubles, cpu * 1000, busy * 1000)
        ratio = results["ours"][0] / max(results["plain"][0], 1e-9)
        names = ("ours", "near", "plain")
        doubles = " / ".join(str(results[k][1]) for k in names)
        cpu_ms = " / ".join(f"{results[k][2]:.2f}" for k in names)
        busy_ms = " / ".join(f"{results[k][3]:.2f}" for k in names)
        print(f"| {workers} | {results['ours'][0]:.0f} | {results['near'][0]:.0f} "
              f"| {results['plain'][0]:.0f} | {ratio:.1f}× | {doubles} | {cpu_ms} | {busy_ms} |",
              flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    engine.dispose()


if __name__ == "__main__":
    main()
