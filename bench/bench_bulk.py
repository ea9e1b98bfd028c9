"""Time each path of the whole job against a bare csv.reader pass, in the same run.

    python bench/bench_bulk.py [--rows 200000 1000000] [--paths bare bulk lean entry command]
                               [--keep DIR] [--malloc-conf CONF] [--polars-threads N]
                               [--repeat N]

The job is the benchmark's (bench/bench_pipeline.py): import, refunds with interest,
CAPE screening, payments and declarations, on the same generated ES-003. Each path
runs in a fresh subprocess, so one path's memory does not hide another's; for each:
wall time, CPU time (user + system, every thread) and peak resident memory, and the
ratio of each time to the bare pass's. ``bulk`` is :func:`ieepa_refund.bulk.estimate`
(polars); ``lean`` is the lean engine (``ieepa_refund.bulk.lean``: the same job as
``entry``'s, on :func:`~ieepa_refund.bulk.lean.stream`); ``entry`` is the per-entry path; ``dask`` is the bulk engine partitioned by
importer on Dask's synchronous scheduler (``--partitions``); ``command`` is the command,
``ieepa-refund estimate FILE --as-of 2026-07-01 --out FILE.csv`` (its ``--engine auto``: the
bulk engine, with the roads), run as a child of the stage and measured by the child's
resource usage, as ``/usr/bin/time`` measures it.

The allocator: the library leaves polars' bundled jemalloc at its defaults, the command
sets ``_RJEM_MALLOC_CONF`` (``ieepa_refund.cli._main.MALLOC_CONF``) unless it is set
already. ``--malloc-conf CONF`` sets it for every path run (``--malloc-conf command``: the
command's setting; ``''``: unset, so the command sets its own), so the library's figures
can be had with the command's setting and the command's with another (polars' own is
``dirty_decay_ms:500,muzzy_decay_ms:1000``); without it, each path runs as a user would
run it.

polars' thread pool: the command sets ``POLARS_MAX_THREADS`` to one fewer than the CPUs
(``ieepa_refund.cli._main.polars_threads``) unless it is set; the library leaves polars'
default (one thread per CPU). ``--polars-threads N`` sets it for every path
(``command``: the command's; ``''``: unset), as ``--malloc-conf`` does the allocator.

``--repeat N`` runs the paths N times in turn (a round each: bare, then the others) and
ends with each path's range over the rounds: on a shared machine one round can be a
tenth off either way, and each ratio is to its own round's bare pass.

This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
AS_OF = date(2026, 7, 1)


def _pipeline() -> object:
    spec = importlib.util.spec_from_file_location("bench_pipeline", HERE / "bench_pipeline.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children() -> tuple[float, float]:
    """(CPU seconds, peak resident MB) of the children waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _run(path_name: str, file: Path, partitions: int) -> dict[str, float | int]:
    pipeline = _pipeline()
    cpu, began = _cpu(), time.perf_counter()
    figures: dict[str, float | int] = {}
    if path_name == "command":
        with tempfile.TemporaryDirectory() as out:
            done = subprocess.run(
                [sys.executable, "-m", "ieepa_refund", "estimate", str(file),
                 "--as-of", AS_OF.isoformat(), "--out", str(Path(out) / "refunds.csv")],
                check=False, capture_output=True, text=True,
            )  # fmt: skip
        if done.returncode not in (0, 1):  # 1: done, with rejected rows or faults found
            raise SystemExit(f"the command failed ({done.returncode}): {done.stderr[-2000:]}")
        figures["wall_s"] = time.perf_counter() - began
        figures["cpu_s"], figures["peak_rss_mb"] = _children()
        figures["exit"] = done.returncode
        return figures
    if path_name == "bare":
        pipeline.bare_pass(file)  # type: ignore[attr-defined]
    elif path_name == "entry":
        with tempfile.TemporaryDirectory() as out:
            marks = pipeline.whole_job(file, Path(out))  # type: ignore[attr-defined]
        figures["entries"] = marks["entries"]
    elif path_name == "lean":
        with tempfile.TemporaryDirectory() as out:
            marks = pipeline.lean_job(file, Path(out))  # type: ignore[attr-defined]
        figures["entries"] = marks["entries"]
        figures["entries_lean"] = marks["entries_lean"]
    elif path_name == "bulk":
        from ieepa_refund.bulk import estimate

        with tempfile.TemporaryDirectory() as out:
            result = estimate(file, as_of=AS_OF, declarations_dir=out)
        figures["entries"] = result.entries.height
        figures["entries_columnar"] = result.report.entries_bulk
    else:
        from ieepa_refund.bulk.dask import estimate_partitioned

        with tempfile.TemporaryDirectory() as out:
            result = estimate_partitioned(
                [file], as_of=AS_OF, partitions=partitions, scheduler="sync", workdir=out
            )
        figures["entries"] = result.entries.height
    figures["wall_s"] = time.perf_counter() - began
    figures["cpu_s"] = _cpu() - cpu
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--paths", nargs="+", default=["bare", "bulk", "entry"])
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument(
        "--malloc-conf",
        help="_RJEM_MALLOC_CONF for every path ('command': the command's setting; '': unset)",
    )
    parser.add_argument(
        "--polars-threads",
        help="POLARS_MAX_THREADS for every path ('command': the command's setting; '': unset)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the paths, in turn")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(_run(args.stage, args.file, args.partitions)))
        return 0
    pipeline = _pipeline()
    env = dict(os.environ)
    if args.malloc_conf is not None:
        env.pop("_RJEM_MALLOC_CONF", None)
        if args.malloc_conf == "command":
            from ieepa_refund.cli._main import MALLOC_CONF

            env["_RJEM_MALLOC_CONF"] = MALLOC_CONF
        elif args.malloc_conf:
            env["_RJEM_MALLOC_CONF"] = args.malloc_conf
    if args.polars_threads is not None:
        env.pop("POLARS_MAX_THREADS", None)
        if args.polars_threads == "command":
            from ieepa_refund.cli._main import polars_threads

            env["POLARS_MAX_THREADS"] = polars_threads()
        elif args.polars_threads:
            env["POLARS_MAX_THREADS"] = args.polars_threads
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        conf = env.get("_RJEM_MALLOC_CONF")
        threads = env.get("POLARS_MAX_THREADS")
        print(
            f"{os.cpu_count()} CPUs; {sys.version.split()[0]}; _RJEM_MALLOC_CONF={conf or '(unset)'}"
            f"; POLARS_MAX_THREADS={threads or '(unset)'}"
        )
        for rows in args.rows:
            file = folder / f"es003_{rows}.csv"
            if not file.exists():
                pipeline.generate(file, rows, 4)  # type: ignore[attr-defined]
            print(f"\n{rows:,} rows, {file.stat().st_size / 1e6:.0f} MB")
            rounds: dict[str, list[tuple[float, float, float]]] = {n: [] for n in args.paths}
            for turn in range(args.repeat):
                if args.repeat > 1:
                    print(f" round {turn + 1}")
                bare: dict[str, float] | None = None
                for name in args.paths:
                    done = subprocess.run(
                        [sys.executable, __file__, "--stage", name, "--file", str(file),
                         "--partitions", str(args.partitions)],
                        check=True, capture_output=True, text=True, env=env,
                    )  # fmt: skip
                    got = json.loads(done.stdout)
                    if name == "bare":
                        bare = got
                    ratio = ""
                    if bare and name != "bare":
                        wall, cpu = got["wall_s"] / bare["wall_s"], got["cpu_s"] / bare["cpu_s"]
                        rounds[name].append((wall, cpu, got["peak_rss_mb"]))
                        ratio = f" = {wall:.2f}x wall, {cpu:.2f}x CPU of the bare pass"
                    print(
                        f"  {name:<6} wall {got['wall_s']:7.2f} s  CPU {got['cpu_s']:7.2f} s  "
                        f"peak RSS {got['peak_rss_mb']:5.0f} MB{ratio}"
                    )
            if args.repeat > 1:
                print(f" over {args.repeat} rounds (lowest, median, highest):")
                for name, got_rounds in rounds.items():
                    if got_rounds:
                        walls, cpus, peaks = (sorted(v) for v in zip(*got_rounds, strict=True))
                        print(
                            f"  {name:<6} wall {_spread(walls, 'x')}  CPU {_spread(cpus, 'x')}  "
                            f"peak RSS {_spread(peaks, ' MB', 0)}"
                        )
    return 0


def _spread(values: list[float], unit: str, places: int = 2) -> str:
    """Lowest, median and highest of sorted ``values``."""
    middle = statistics.median(values)
    return f"{values[0]:.{places}f}/{middle:.{places}f}/{values[-1]:.{places}f}{unit}"


if __name__ == "__main__":
    raise SystemExit(main())
