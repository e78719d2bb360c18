"""Next-task claims over 100k released tasks on PostgreSQL: our claim vs plain FOR UPDATE.

Run by hand (it recreates the database it is given):

    python -m benchmarks.claims --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_tasks

For 1, 4, 8 and 16 concurrent claimers, each strategy claims for
``--seconds``; every claim is one transaction. The pool is reset between
runs. Each claimer is its own process with its own connection, as server
workers are, so the Python client's GIL does not cap the claim rate.
Double claims are counted from the recorded transitions (a task
claimed twice would have two "claimed" rows) and from the assignees.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from wms.db import make_engine, make_session_factory
from wms.model import Base, Task, TaskStatus, TaskTransition, TaskType, User, utcnow
from wms.services import claims, masterdata, presence
from wms.services import tasks as task_service

Claim = Callable[[Session, User, int], int | None]


def ours(s: Session, user: User, warehouse_id: int) -> int | None:
    got = claims.claim_from_pool(s, user=user, warehouse_id=warehouse_id, device_id="bench",
                                 lease_seconds=900)
    return got[0].id if got else None


def plain_for_update(s: Session, user: User, warehouse_id: int) -> int | None:
    """The textbook claim: lock the head of the queue, waiting for whoever holds it; then claim it.

    The same order (``pool_head``) and the same claim as ours (the guarded
    UPDATE, the "claimed" transition, the console event, one commit); only
    how the row is chosen and locked differs: ``FOR UPDATE`` that waits, as
    its own statement, instead of ``SKIP LOCKED`` inside the claim.
    """
    for _ in range(50):  # a row taken while we waited no longer matches: look again
        head = claims.pool_head(user, warehouse_id, skip_locked=False)
        task_id = s.scalar(head.statement, head.params)
        if task_id is None:
            continue
        won = claims.claim(s, claims.by_id(task_id), user_id=user.id, device_id="bench",
                           lease_seconds=900)
        if won is not None:
            task_service.announce(s, won)
            return won.id
    return None


STRATEGIES: dict[str, Claim] = {"ours": ours, "plain": plain_for_update}


def setup(url: str, tasks: int, users: int) -> tuple[Engine, int, list[User]]:
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
        people = [User(username=f"op{i}", display_name=f"Op {i}", skills=[])
                  for i in range(2 * users)]
        s.add_all(people)
        s.flush()
        # 10 aisles of 20 one-metre bays: "nearest" has somewhere to rank tasks from.
        places = [masterdata.create_location(s, warehouse=wh, code=f"A-{a:02d}-{b:02d}-1",
                                             aisle_index=a, x=Decimal(b))
                  for a in range(10) for b in range(20)]
        here = places[25]
        for user in people[users:]:  # the second half scanned a location: "nearest" applies
            presence.seen(s, user_id=user.id, device_id="bench", warehouse_id=wh.id,
                          location_id=here.id)
        now = utcnow()
        rows = [{"warehouse_id": wh.id, "type": TaskType.pick, "status": TaskStatus.released,
                 "priority": random.randint(1, 9),
                 "due_at": now + timedelta(minutes=random.randint(0, 600)),
                 "from_location_id": random.choice(places).id,
                 "route_seq": 0, "group_lead": False, "done_qty": 0,
                 "created_at": now, "updated_at": now} for _ in range(tasks)]
        for start in range(0, tasks, 10_000):
            s.execute(insert(Task), rows[start:start + 10_000])
        return engine, wh.id, people


def reset(engine: Engine) -> None:
    with make_session_factory(engine)() as s, s.begin():
        s.execute(delete(TaskTransition))
        s.execute(update(Task).values(status=TaskStatus.released, assignee_id=None,
                                      assigned_at=None, lease_expires_at=None))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("vacuum analyze task"))


def _claimer(url: str, warehouse_id: int, user_id: int, strategy: str, seconds: float,
             ready: Any, go: Any, out: Any) -> None:
    """One claimer process with its own connection, like a server worker."""
    engine = make_engine(url, pool_size=1, max_overflow=0)
    factory = make_session_factory(engine)
    claim = STRATEGIES[strategy]
    # Warm up, as a long-running server worker is: the statements compiled and prepared,
    # the connection open. The claim is rolled back.
    with factory() as s:
        s.begin()
        user = s.get(User, user_id)
        assert user is not None
        claim(s, user, warehouse_id)
        s.rollback()
    ready.put(True)
    go.wait()
    count, tries, stop_at, cpu = 0, 0, time.monotonic() + seconds, time.process_time()
    while time.monotonic() < stop_at:
        tries += 1
        with factory() as s, s.begin():
            user = s.get(User, user_id)
            assert user is not None
            if claim(s, user, warehouse_id) is not None:
                count += 1
    cpu = time.process_time() - cpu
    engine.dispose()
    if os.environ.get("BENCH_DEBUG"):
        print(f"claimer {user_id}: {count} claims in {tries} tries, {cpu:.2f}s CPU", flush=True)
    out.put((count, cpu))


def run(url: str, engine: Engine, warehouse_id: int, user_ids: list[int], strategy: str,
        workers: int, seconds: float) -> tuple[int, int, float]:
    """Claims made, double claims, and the claimers' own CPU seconds per claim."""
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_claimer, args=(url, warehouse_id, user_ids[i], strategy,
                                                seconds, ready, go, out))
             for i in range(workers)]
    for proc in procs:
        proc.start()
    for _ in procs:  # every process imported and connected before the clock starts
        ready.get()
    go.set()
    done = [out.get() for _ in procs]
    total, cpu = sum(n for n, _ in done), sum(c for _, c in done)
    for proc in procs:
        proc.join()
    with make_session_factory(engine)() as s:
        claimed = s.scalar(select(func.count()).select_from(TaskTransition)
                           .where(TaskTransition.reason == "claimed")) or 0
        distinct = s.scalar(select(func.count(func.distinct(TaskTransition.task_id)))
                            .where(TaskTransition.reason == "claimed")) or 0
    assert claimed == total, (claimed, total)
    return total, claimed - distinct, cpu / max(total, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,4,8,16")
    args = parser.parse_args()
    levels = [int(x) for x in args.workers.split(",")]
    engine, warehouse_id, people = setup(args.url, args.tasks, max(levels))
    print(f"{args.tasks} released tasks, {args.seconds}s per run; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    print("| claimers | ours: one statement, SKIP LOCKED | ours, operator located (nearest) "
          "| plain FOR UPDATE | ratio (ours / plain) | double claims (ours / located / plain) "
          "| claimer CPU per claim, ms (ours / located / plain) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    ids = [p.id for p in people]
    located = ids[len(ids) // 2:]
    for workers in levels:
        results = {}
        for name, strategy, who in (("ours", "ours", ids), ("near", "ours", located),
                                    ("plain", "plain", ids)):
            reset(engine)
            total, doubles, cpu = run(args.url, engine, warehouse_id, who, strategy, workers,
                                      args.seconds)
            results[name] = (total / args.seconds, doubles, cpu * 1000)
        ratio = results["ours"][0] / max(results["plain"][0], 1e-9)
        names = ("ours", "near", "plain")
        doubles = " / ".join(str(results[k][1]) for k in names)
        cpu_ms = " / ".join(f"{results[k][2]:.2f}" for k in names)
        print(f"| {workers} | {results['ours'][0]:.0f} | {results['near'][0]:.0f} "
              f"| {results['plain'][0]:.0f} | {ratio:.1f}× | {doubles} | {cpu_ms} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    engine.dispose()


if __name__ == "__main__":
    main()
