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

from .errors import DataError, InvalidFormat

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
    if not isinstance(where, Traversable):
        raise InvalidFormat(
            "a data folder is a path (str or Path) or an importlib.resources folder",
            field="where",
            value=where,
        )
    return where


def read_manifest(folder: Traversable) -> dict[str, Any]:
    """The folder's manifest, once the folder is checked against it.

    Every listed file must be present with the listed sha256, and no CSV may
    sit in the folder unlisted: a data set that was edited, half-copied or
    mixed with another is refused before a figure is built from it.
    """
    path = folder / MANIFEST
    if not path.is_file():
        raise DataError(f"{MANIFEST} is missing from {folder}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{MANIFEST} in {folder} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise DataError(f"{MANIFEST} in {folder} is not a JSON object")
    for key in ("data_version", "files"):
        if key not in manifest:
            raise DataError(f"{MANIFEST} in {folder} has no {key!r}")
    check_files(folder, manifest)
    return manifest


def check_files(folder: Traversable, manifest: dict[str, Any]) -> None:
    """Each listed file present with its sha256; no unlisted CSV beside them."""
    listed = manifest["files"]
    if not isinstance(listed, dict) or not listed:
        raise DataError(f"{MANIFEST} in {folder}: 'files' must map each file name to its sha256")
    for name, entry in listed.items():
        expected = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(expected, str):
            raise DataError(f"{MANIFEST} in {folder}: {name} has no sha256")
        if not (folder / name).is_file():
            raise DataError(f"{name} is listed in {MANIFEST} but missing from {folder}")
        actual = sha256(folder, name)
        if actual != expected.lower():
            raise DataError(
                f"{name} in {folder} does not match {MANIFEST}: sha256 {actual}, "
                f"listed {expected}; the file was changed after the manifest was written"
            )
    unlisted = sorted(
        item.name
        for item in folder.iterdir()
        if item.name.lower().endswith(".csv") and item.name not in listed
    )
    if unlisted:
        raise DataError(f"{folder} holds CSV files that {MANIFEST} does not list: {unlisted}")


def sha256(folder: Traversable, name: str) -> str:
    return hashlib.sha256((folder / name).read_bytes()).hexdigest()


def read_csv(folder: Traversable, name: str, columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Rows of a data CSV as dicts; the header must hold ``columns``; rows are numbered from 2.

    A row with more or fewer cells than the header, bytes that are not UTF-8 or
    a line csv cannot parse is a :class:`DataError` naming the file and row.
    """
    path = folder / name
    if not path.is_file():
        raise DataError(f"data file {name} is missing from {folder}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not UTF-8 text ({exc})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    number = 1
    try:
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise DataError(f"{name}: missing columns {missing}")
        width = len(reader.fieldnames or ())
        for number, row in enumerate(reader, start=2):
            if None in row or None in row.values():  # cells past the header, or too few
                extra = row.get(None) or []
                cells = sum(v is not None for k, v in row.items() if k is not None) + len(extra)
                raise DataError(f"{name} row {number}: {cells} cells, the header has {width}")
            yield row
    except csv.Error as exc:
        raise DataError(f"{name} row {number + 1}: {exc}") from None
