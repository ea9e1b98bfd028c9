"""The ``ieepa-refund`` command.

::

    ieepa-refund estimate FILE... [--as-of DATE] [--corporate] [--method paid|recalculate]
                                  [--out FILE.csv|.json|.xlsx] [--json]
    ieepa-refund cape FILE... --out DIR --declared-on DATE [--ledger FILE] [--filer-code XXX]
    ieepa-refund check FILE.csv... [--filer-code XXX]
    ieepa-refund reconcile FILE... [--ledger FILE] [--claims F] [--refunds F] [--trade-refunds F]
                                   [--deposits F] [--out FILE.csv|.json] [--resubmit DIR]
    ieepa-refund demo [--reconcile]

Exit status: 0 done; 1 done, with rejected rows, excluded entries or faults
found; 2 usage error, unreadable input or an output that cannot be written;
3 internal error (a one-line message; ``--debug`` shows the traceback).
Problems go to stderr, one line each with file and row, after a report of
the columns read. Outputs are written whole or not at all (``_output``).

This is the only place that reads the clock: ``--as-of`` and
``--declared-on`` default to today here, never in the library.

The modules: ``_parser`` (the options), ``_inputs`` (reading and the column
and problem report), ``_output`` (safe files), ``_estimate`` (estimate and
demo), ``_cape`` (cape and check).
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from ..errors import IeepaRefundError
from ._cape import run_cape, run_check
from ._estimate import run_demo, run_estimate
from ._output import UsageError, check_inputs, input_files, quiet_broken_pipe
from ._parser import build_parser
from ._reconcile import run_reconcile, run_reconcile_demo

__all__ = ["main"]

_COMMANDS: dict[str, Callable[..., int]] = {
    "estimate": run_estimate,
    "demo": lambda args: run_reconcile_demo(args) if args.reconcile else run_demo(args),
    "cape": run_cape,
    "check": run_check,
    "reconcile": run_reconcile,
}

# Plain words for the file errors a user can act on; others keep the system's words.
_OS_WORDS = {
    errno.ENOSPC: "the disk is full; nothing was replaced",
    errno.EDQUOT: "the disk quota is exceeded; nothing was replaced",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "a folder, not a file",
    errno.ENOTDIR: "a file where a folder is expected",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EROFS: "on a read-only file system",
}


#: The allocator setting the command gives the bulk engine (polars' bundled jemalloc reads
#: ``_RJEM_MALLOC_CONF`` once, when polars is first imported). polars' own is
#: ``dirty_decay_ms:500,muzzy_decay_ms:1000``: freed pages are kept 0.5 s, then handed back
#: lazily (``MADV_FREE``) and still counted resident for 1 s more. Here they go back within
#: 100 ms and at once: at 1M rows the library's peak 274-282 -> 224-250 MB, its CPU within
#: the noise of a busy machine (the lead measured about 10% more; a dirty decay of 0 costs
#: about 50%; 250 ms left 235-247 MB). A user's own ``_RJEM_MALLOC_CONF`` is left as it is
#: (docs/scale.md).
MALLOC_CONF = "dirty_decay_ms:100,muzzy_decay_ms:0"


def polars_threads() -> str:
    """The size of polars' thread pool under the command: one fewer than the CPUs the
    process may run on, at least one (``POLARS_MAX_THREADS``, read when polars is first
    imported).

    The bulk engine runs two threads of its own (the next chunk read while this one is
    parsed), and its polars work comes in small pieces (a 4 MB chunk, 31k rows). On 2
    cores a pool of 2 beside them mostly waited for work, and the waiting is CPU time:
    at 1M rows (library, the command's allocator setting, 5 runs each, 2026-11-29) CPU
    3.61-3.83 -> 3.20-3.48 s with a pool of 1, wall alike (2.56-2.76 vs 2.48-2.74 s), peak
    239-245 -> 235-239 MB; the ``estimate`` command with roads 11.6-12.0 -> 11.2-11.6 s. Only
    2 cores were at hand to measure: more cores keep all but one for polars.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return str(max(1, cpus - 1))


def _own_process() -> None:
    """Set up the process the command owns (``main()`` run with no ``argv``: as the
    ``ieepa-refund`` script or ``python -m ieepa_refund``): the bulk engine's allocator
    setting and polars' thread pool (:func:`polars_threads`), before polars is first
    imported, unless the user has set them. The library never sets them; a caller of
    ``main(argv)`` keeps its process as it is."""
    if "polars" not in sys.modules:
        os.environ.setdefault("_RJEM_MALLOC_CONF", MALLOC_CONF)
        os.environ.setdefault("POLARS_MAX_THREADS", polars_threads())


def _say(message: str) -> None:
    print(f"ieepa-refund: {message}", file=sys.stderr)


def _os_message(exc: OSError) -> str:
    words = _OS_WORDS.get(exc.errno or 0) or exc.strerror or str(exc)
    return f"{exc.filename}: {words}" if exc.filename else words


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    if argv is None:
        _own_process()
    parser = build_parser()
    args = parser.parse_args(argv)
    command = getattr(args, "command", None)
    if command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        # The ledger is left to each command: cape appends to it and says so in its own words.
        check_inputs(input_files(args, besides="ledger"))
        status: int = _COMMANDS[command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it cannot be caught
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as the Python docs advise for SIGPIPE.
        quiet_broken_pipe()
        return 1
    except UsageError as exc:
        _say(str(exc))
        return 2
    except IeepaRefundError as exc:
        _say(str(exc))
        return 2
    except OSError as exc:
        _say(_os_message(exc))
        return 2
    except KeyboardInterrupt:
        _say("interrupted; no output was replaced")
        return 130
    except Exception as exc:  # the one place a bug becomes a message
        if args.debug:
            traceback.print_exc()
        _say(
            f"internal error: {type(exc).__name__}: {exc}"
            + ("" if args.debug else " (run again with --debug for the traceback)")
        )
        return 3
    return status
