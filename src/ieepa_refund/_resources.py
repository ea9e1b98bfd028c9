"""Where the shipped data lives, and how its files and manifest are read.

The files live inside the package (``src/ieepa_refund/data/<set>/``) and are
read only through :mod:`importlib.resources`, as tzdata does, so a wheel, a
zip import and an editable install read the same files. Each set has a
``MANIFEST.json`` with its data version and per-file sha256.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import threading
from collections.abc import Callable, Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from .errors import DataError

MANIFEST = "MANIFEST.json"

T = TypeVar("T")


def once(load: Callable[[], T]) -> Callable[[], T]:
    """``load()`` run at most once per process, however many threads ask first.

    ``functools.cache`` does not hold a lock while the function runs, so two
    threads asking at once would each load the data and get different objects
    (and different interest caches keyed on them).
    """
    lock = threading.Lock()
    loaded: list[T] = []

    @functools.wraps(load)
    def get() -> T:
        if not loaded:
            with lock:
                if not loaded:
                    loaded.append(load())
        return loaded[0]

    return get


def data_dir(name: str) -> Traversable:
    """The folder of the shipped data set ``name`` (``'htsus_ch99'``...)."""
    return shipped("data", name)


def shipped(*parts: str) -> Traversable:
    """A file or folder shipped inside the package, under ``ieepa_refund/``."""
    packaged = files("ieepa_refund").joinpath(*parts)
    if packaged.is_dir() or packaged.is_file():
        return packaged
    raise DataError(f"{'/'.join(parts)} is missing from this installation")


def as_dir(where: str | Path | Traversable | None, name: str) -> Traversable:
    """``where`` as a folder, or the shipped one when ``where`` is None."""
    if where is None:
        return data_dir(name)
    if isinstance(where, str | Path):
        return Path(where)
    return where


def read_manifest(folder: Traversable) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise DataError(f"{MANIFEST} is missing from {folder}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{MANIFEST} in {folder} is not valid JSON: {exc}") from None
    for key in ("data_version", "files"):
        if key not in manifest:
            raise DataError(f"{MANIFEST} in {folder} has no {key!r}")
    return manifest


def sha256(folder: Traversable, name: str) -> str:
    return hashlib.sha256((folder / name).read_bytes()).hexdigest()


def read_csv(folder: Traversable, name: str, columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Rows of a data CSV as dicts; the header must hold ``columns``; rows are numbered from 2."""
    path = folder / name
    if not path.is_file():
        raise DataError(f"data file {name} is missing from {folder}")
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or ())]
    if missing:
        raise DataError(f"{name}: missing columns {missing}")
    yield from reader
