"""Runs a reader over untrusted files in worker processes held to a time and a memory limit
(files edge).

A file from a hostile or careless sender can make a reader run for minutes, ask for
gigabytes, or crash the process outright (a native abort in the Rust reader cannot be caught
in Python). Read in a worker process, such a file costs only itself: a worker that runs past
the time limit is killed, one that runs out of its memory allowance fails there (or dies),
and either way that one file gets an outcome saying so while the run goes on with a fresh
worker. Nothing a worker prints reaches the user: its standard error goes to the null device,
so a native backtrace never shows.

Each worker reads one file at a time, in the order given, so a worker that dies names the
file that killed it: the oldest it has not answered. It is given the next file before it is
done with one (QUEUED), so it goes on reading while this process stores what it sent, and a
file given but not begun when its worker is stopped is given to the next worker. Results
come back in input order, with at most a few files in hand per worker, so memory stays flat
in the number of files. Processes start with `forkserver` where there is one and
`spawn` elsewhere (Windows, macOS): never `fork`, which copies the parent's threads and locks.
Only public APIs are used (a Process and a Pipe per worker, `connection.wait`), so each file
has its own clock, started once its worker is ready. `map_in_threads` gives the same ordering
in threads of this process, without limits, for benchmarks and tests.

On POSIX the memory limit is the worker's address space (RLIMIT_AS); Windows has no such
limit for one process without extra packages, so there the time limit and the file guard's
caps (workload_xl.files.file_guard) bound a worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files import windows

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

FILE_SECONDS = 60.0
"""Longest a worker may spend on one file: a workbook takes well under a second."""
MEMORY_BYTES = 1536 * 1024 * 1024
"""Address space a worker may use (where the platform can limit it): a worker that has read a
team return with calamine and a measurement sheet with openpyxl peaks at about 160 MB of it
(pandas, for caseload reports, adds a few hundred)."""
START_SECONDS = 120.0
"""Longest a worker may take to start (Python, then the reader's imports)."""
AHEAD = 4
"""Files each worker may have finished beyond the one the caller is waiting for."""
QUEUED = 2
"""Files a worker holds at once: the one it reads and the next, which it begins the moment
it sends the first back. With one, a worker done while this process stored a return waited
for it to come back for more: two readers beside a stand-in for the store taking 3.5 ms of
CPU a file sat idle 5 ms a file between them (2 cores, load 2), with two 1.5 to 2 ms."""


@dataclass(frozen=True)
class Done:
    """The function's result for one item."""

    value: Any


@dataclass(frozen=True)
class Failed:
    """The item stopped its worker: `why` is "slow" (past the time limit), "memory" (past the
    memory allowance) or "crashed" (the process ended while reading it)."""

    why: str


Outcome = Done | Failed

MAX_DEFAULT_PROCESSES = 8
"""Files read at once by default, at most. One process stores every return (SQLite has one
writer) at about 2-3 ms a file, and a reader takes about 6 ms, so a few readers keep it busy:
more would only hold memory (~60 MB each). `--processes` may ask for more."""


def usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the
    machine has), up to MAX_DEFAULT_PROCESSES: how many files are read at once unless told
    otherwise."""
    return max(1, min(_cores(), MAX_DEFAULT_PROCESSES))


def _cores() -> int:
    """The cores this process may run on: its CPU affinity on Linux, Python 3.13's
    os.process_cpu_count where there is one (Windows and macOS too), else the machine's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        pass
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13 and later
    return (counted() if counted is not None else None) or os.cpu_count() or 1


def read_each(
    reader: Callable[[Path], Any],
    paths: Iterable[Path],
    failed: Callable[[Path, Finding], Any],
    *,
    workers: int | None = None,
    seconds: float = FILE_SECONDS,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator[tuple[Path, Any]]:
    """(path, reader(path)) for each path, in order, each read in a worker process held to
    the limits; a file that stops its worker gives `failed(path, finding)` instead, the
    finding saying why (`file-too-slow`, `file-too-large`, `file-corrupt`)."""
    outcomes = map_in_workers(
        reader,
        paths,
        workers=workers or usable_cores(),
        seconds=seconds,
        initializer=initializer,
        initargs=initargs,
    )
    with contextlib.closing(outcomes):
        for path, outcome in outcomes:
            if isinstance(outcome, Done):
                yield path, outcome.value
            else:
                yield path, failed(path, failure_finding(path, outcome, seconds))


def read_one(
    reader: Callable[[Path], Any],
    path: Path,
    failed: Callable[[Path, Finding], Any],
    *,
    seconds: float = FILE_SECONDS,
) -> Any:
    """`reader(path)` in a worker process held to the limits, as `read_each` for one file."""
    return next(read_each(reader, [path], failed, workers=1, seconds=seconds))[1]


def failure_finding(path: Path, outcome: Failed, seconds: float) -> Finding:
    """The finding for a file that stopped its worker process."""
    if outcome.why == "slow":
        return finding(
            "file-too-slow",
            f"{path} took longer than {seconds:g} seconds to read, so it was stopped (a "
            "workbook takes a fraction of a second). Open it in Excel, check it holds only the "
            "workbook's own sheets, save it again as an Excel Workbook (.xlsx) and send it "
            "again.",
            workbook=str(path),
        )
    if outcome.why == "memory":
        return finding(
            "file-too-large",
            f"{path} needs more memory to read than a workbook can (its reader was stopped). "
            "Open it in Excel, check it holds only the workbook's own sheets, save it again as "
            "an Excel Workbook (.xlsx) and send it again.",
            workbook=str(path),
        )
    return finding(
        "file-corrupt",
        f"{path} stopped the workbook reader (its process ended while reading this file). Open "
        "it in Excel, save it again as an Excel Workbook (.xlsx) and send it again.",
        workbook=str(path),
    )


START_METHOD_ENVIRONMENT = "WORKLOAD_XL_START_METHOD"
"""Set to `spawn` to start worker processes as Windows and macOS do on any machine (CI runs
the consolidation tests so), or `forkserver`; `fork` is never used."""


def start_method() -> str:
    """forkserver where there is one, spawn elsewhere, or what WORKLOAD_XL_START_METHOD asks
    (spawn or forkserver, where this system has it)."""
    available = multiprocessing.get_all_start_methods()
    asked = os.environ.get(START_METHOD_ENVIRONMENT, "").strip().lower()
    if asked in ("spawn", "forkserver") and asked in available:
        return asked
    return "forkserver" if "forkserver" in available else "spawn"


@contextlib.contextmanager
def ctrl_c_held():
    """Ctrl-C held back while a worker process is started or the pool is ended. On POSIX
    SIGINT is blocked: a process started now inherits the block (through fork and exec, and
    so does the forkserver and every worker it forks), so one still importing its reader
    never prints a KeyboardInterrupt traceback, and the Ctrl-C this process was sent arrives
    the moment the block ends. Windows has no signal mask: there Ctrl-C is ignored meanwhile
    (SIG_IGN, and the console's own ignoring, which new processes inherit). Only the main
    thread may change it; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if hasattr(signal, "pthread_sigmask"):
        # multiprocessing's resource tracker unblocks SIGINT after starting itself: started
        # first, before the block, it leaves the block alone.
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
        previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    on_windows = windows.ignore_ctrl_c(True)
    try:
        yield
    finally:
        if on_windows:
            windows.ignore_ctrl_c(False)
        signal.signal(signal.SIGINT, previous)


def map_in_workers(
    function: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    workers: int,
    seconds: float = FILE_SECONDS,
    memory: int | None = MEMORY_BYTES,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator[tuple[Any, Outcome]]:
    """(item, outcome) for each item, in input order, `function(item)` run in one of
    `workers` processes. `function` and `initializer` must be importable module functions."""
    items = list(items)
    if not items:
        return
    context = multiprocessing.get_context(start_method())
    queue: deque[int] = deque(range(len(items)))
    results: dict[int, Outcome] = {}
    pool: list[_Worker] = []
    start = (context, function, initializer, initargs, memory)
    try:
        try:
            for _ in range(max(1, min(workers, len(items)))):
                pool.append(_Worker(*start))  # one at a time, so `finally` ends each started
            for worker in pool:  # all start at once; each file's clock starts once it is up
                worker.wait_until_ready()
        except (OSError, RuntimeError, NotImplementedError):
            # This Python cannot start processes (Pyodide, as in xlwings Lite; a sandbox).
            yield from _in_this_process(function, items, initializer, initargs)
            return
        next_out = 0
        while next_out < len(items):
            for _ in range(QUEUED):  # the first file to each idle worker, then the next
                for index, worker in enumerate(pool):
                    if not (
                        len(worker.jobs) < QUEUED
                        and queue
                        and queue[0] < next_out + len(pool) * AHEAD
                    ):
                        continue
                    job = queue.popleft()
                    if worker.give(job, items):
                        continue
                    queue.appendleft(job)  # not given: the worker has died since last seen
                    if not worker.jobs:  # idle, so no file's doing: a fresh one takes its place
                        pool[index] = _fresh(worker, start)
                    # holding a file, its death is found below and charged to that file
            while next_out in results:
                yield items[next_out], results.pop(next_out)
                next_out += 1
            if next_out >= len(items):
                break
            busy = [worker for worker in pool if worker.jobs]
            if not busy:
                continue
            deadline = min(worker.started for worker in busy) + seconds
            ready = set(
                wait(
                    [w.conn for w in busy] + [w.process.sentinel for w in busy],
                    timeout=max(0.0, deadline - time.monotonic()),
                )
            )
            for index, worker in enumerate(pool):
                if not worker.jobs:
                    continue
                outcome = worker.collect(ready, seconds)
                if outcome is None:
                    continue
                job, result = outcome
                results[job] = result
                if isinstance(result, Failed):
                    queue.extendleft(reversed(worker.jobs))  # given, not answered: again
                    pool[index] = _fresh(worker, start)  # killed if it holds one, begun or not
    finally:
        with ctrl_c_held():  # a second Ctrl-C cannot leave workers behind
            for worker in pool:
                worker.end()


def _fresh(worker: _Worker, start: tuple) -> _Worker:
    """A new worker, ready, in place of one that is ended (killed if it holds files)."""
    worker.end()
    new = _Worker(*start)
    new.wait_until_ready()
    return new


def map_in_threads(
    function: Callable[[Any], Any], items: Iterable[Any], *, workers: int
) -> Iterator[tuple[Any, Any]]:
    """(item, function(item)) for each item, in input order, run in `workers` threads of this
    process with no limits: for benchmarks and tests, which compare the readers without the
    processes' cost. As in `map_in_workers`, at most AHEAD items a thread are in hand, and a
    run stopped early cancels what has not started. A function's exception is raised here."""
    queue = deque(items)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[Any, Future]] = deque()
        try:
            while queue or pending:
                while queue and len(pending) < workers * AHEAD:
                    item = queue.popleft()
                    pending.append((item, pool.submit(function, item)))
                item, future = pending.popleft()
                yield item, future.result()
        finally:
            for _, future in pending:
                future.cancel()


def _in_this_process(function, items, initializer, initargs) -> Iterator[tuple[Any, Outcome]]:
    """The same outcomes, without limits, where no worker process can be started: the file
    guard's caps still bound each file."""
    if initializer is not None:
        initializer(*initargs)
    for item in items:
        try:
            yield item, Done(function(item))
        except MemoryError:
            yield item, Failed("memory")


class _Worker:
    """One worker process and the pipe it takes items and returns outcomes on."""

    def __init__(self, context, function, initializer, initargs, memory) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, function, initializer, initargs, memory), daemon=True
        )
        try:
            with ctrl_c_held():  # the new process starts with Ctrl-C held back
                self.process.start()
        finally:
            child.close()
        self.jobs: deque[int] = deque()  # given, in order; the first is being read
        self.started = 0.0  # when the first began (as near as this process can tell)

    def wait_until_ready(self) -> None:
        """Wait for the worker to have started Python and imported the reader, which on a
        busy machine can take seconds that must not count against the first file."""
        try:
            if self.conn.poll(START_SECONDS) and self.conn.recv() == "ready":
                return
        except (EOFError, OSError):
            pass
        self.end()
        raise RuntimeError("a worker process did not start")

    def give(self, job: int, items: list) -> bool:
        """Send the worker an item; False if it could not be sent because the worker has
        died (its end of the pipe is closed: BrokenPipeError, or EINVAL on Windows), which
        this process learns only when it next writes or waits."""
        try:
            self.conn.send(items[job])
        except OSError:
            return False
        if not self.jobs:
            self.started = time.monotonic()
        self.jobs.append(job)
        return True

    def collect(self, ready: set, seconds: float) -> tuple[int, Outcome] | None:
        """The outcome of the item being read, if there is one yet, taken off `jobs`: those
        left were given after it."""
        job = self.jobs[0]
        took = time.monotonic() - self.started
        if self.conn in ready:
            try:
                reply = self.conn.recv()
            except (EOFError, OSError):  # died mid-reply
                reply = None
            if reply is not None:
                self.jobs.popleft()
                self.started = time.monotonic()  # the next one's clock, if there is one
                kind, value = reply
                return job, Done(value) if kind == "done" else Failed(value)
            self.jobs.popleft()
            return job, Failed("crashed")
        if self.process.sentinel in ready:
            self.jobs.popleft()
            return job, Failed("crashed")
        if took >= seconds:
            self.jobs.popleft()
            return job, Failed("slow")
        return None

    def end(self) -> None:
        """Stop the process: asked nicely when idle, killed when busy or deaf."""
        if self.process.is_alive() and not self.jobs:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def _serve(conn, function, initializer, initargs, memory) -> None:
    """A worker's life: limits first, then one item at a time until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the run in the parent
    _quiet()
    if memory is not None:
        limit_memory(memory)
    if initializer is not None:
        initializer(*initargs)
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the parent has gone
            return
        if message is None:
            return
        item = message
        try:
            reply = ("done", function(item))
        except MemoryError:
            reply = ("failed", "memory")
        except Exception:  # a reader's bug on this file: the file is reported, the run goes on
            reply = ("failed", "crashed")
        del item
        conn.send(reply)


def limit_memory(memory: int) -> None:
    """Hold this process to `memory` bytes of address space, or to the limit it already has
    if that is lower (POSIX; nothing on Windows)."""
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    caps = [value for value in (memory, soft, hard) if value != resource.RLIM_INFINITY]
    with contextlib.suppress(ValueError, OSError):  # one that will not: the time limit holds
        resource.setrlimit(resource.RLIMIT_AS, (min(caps), hard))


def _quiet() -> None:
    """The worker's standard error to the null device: what a native crash prints (a Rust
    panic, an allocation failure) is for no user's eyes; the parent reports the file."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except OSError:
        pass
