"""The ``ieepa-refund`` command: ``main(argv=None) -> int``, the only place that reads the clock."""

from ._main import main

__all__ = ["main"]
