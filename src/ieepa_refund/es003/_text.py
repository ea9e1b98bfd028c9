"""Text sources (CSV, tab- or semicolon-delimited) as numbered raw rows.

Second step of the reader's flow, for text: :mod:`._open` hands over a file's bytes (or a text
stream's content); here its encoding and delimiter are detected and its CSV records become
:data:`._raw.Raw` rows, numbered by the physical line each starts on (the line an editor shows).
A record the CSV module refuses (a cell over its field limit) is a row problem naming its row,
never an exception that loses the file; :class:`_LineFetcher` and :func:`leading_field` recover
such a row's entry number from its raw line for :mod:`._rows`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import IO, Any

from ..errors import InputFileError
from ._raw import HEADER_SEARCH_ROWS, Raw

_DELIMITERS = {",": "csv", "\t": "tsv", ";": "csv"}


def _sniff_encoding(opener: Callable[[], IO[bytes]], name: str) -> str:
    with opener() as f:
        head = f.read(65536)
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            raise InputFileError(
                f"{name}: UTF-32 text is not read; save the file as UTF-8 CSV",
                field="file",
                value=name,
            )
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"  # Excel's "Unicode Text": UTF-16 with a byte-order mark
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if b"\x00" in head:
            # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
            odd, even = head[1::2].count(0), head[0::2].count(0)
            if odd > len(head) // 4:
                return "utf-16-le"
            if even > len(head) // 4:
                return "utf-16-be"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return "cp1252"
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            # UTF-8 throughout but for half a character at its very end: a file cut short
            # (read as cp1252 it would pass, every accented name re-decoded, the cut unseen).
            # Read as UTF-8, the cut is refused by name (Readable).
            return "utf-8"
    return "utf-8"


def _sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    counts = {d: max((line.count(d) for line in lines), default=0) for d in _DELIMITERS}
    # Most per line wins; ties go to the comma, then tab (the order of _DELIMITERS).
    return max(_DELIMITERS, key=lambda d: counts[d])


def _csv_records(open_text: Callable[[], IO[str]], name: str, delimiter: str) -> Iterator[Raw]:
    with Readable(name), open_text() as text:
        reader = csv.reader(text, delimiter=delimiter)
        done = 0  # the lines read so far: a row starts on the next one
        while True:
            try:
                # A for loop runs in C between rows; a row the reader refuses ends it, is
                # reported below, and the loop starts again on the rows after.
                for row in reader:
                    # A row is at least one line, so it spans line_num - done lines.
                    end = reader.line_num
                    yield done + 1, end - done, row
                    done = end
                return
            except csv.Error as exc:
                yield done + 1, max(reader.line_num - done, 1), f"not readable as CSV: {exc}"
                done = reader.line_num


def _text_source(
    name: str, opener: Callable[[], IO[bytes]] | None, content: str | None, delimiter: str | None
) -> tuple[Callable[[], Iterator[Raw]], str | None, str, _LineFetcher]:
    encoding: str | None = None
    if opener is not None:
        encoding = _sniff_encoding(opener, name)
        # cp1252 leaves five bytes undefined; they become U+FFFD rather than stop the read.
        errors = "replace" if encoding == "cp1252" else "strict"
        binary = opener

        def open_text() -> IO[str]:
            return io.TextIOWrapper(binary(), encoding=encoding, errors=errors, newline="")

    else:
        text = content or ""

        def open_text() -> IO[str]:
            return io.StringIO(text)

    with Readable(name), open_text() as f:
        sample = f.read(65536)
    chosen = delimiter or _sniff_delimiter(sample)

    def rows() -> Iterator[Raw]:
        return _csv_records(open_text, name, chosen)

    # The tail of a file in an encoding whose line ends and quotes are single bytes is read
    # from its end; any other (UTF-16) is read through (see _LineFetcher.tail).
    seekable = opener if encoding in _BYTE_TAILS else None
    tail_of = None if opener is not None else (content or "")
    return rows, encoding, chosen, _LineFetcher(open_text, seekable, encoding, tail_of)


#: Encodings in which a file's tail can be read from its end: a cut at any byte spoils at most
#: the character it falls in, and a line end or a quote is always one byte of its own.
_BYTE_TAILS = frozenset({"utf-8", "utf-8-sig", "cp1252"})


class _LineFetcher:
    """Physical lines of a text by number, read forward only and only when asked.

    Used for the rare rows the CSV reader refuses (a cell over its field limit): the row's
    entry number is then read from the raw line, so that the entry is flagged incomplete
    rather than built short without a word. Rows are asked for in increasing order within
    a pass; an earlier line starts a new read.
    """

    def __init__(
        self,
        open_text: Callable[[], IO[str]],
        binary: Callable[[], IO[bytes]] | None = None,
        encoding: str | None = None,
        content: str | None = None,
    ) -> None:
        self._open = open_text
        self._binary, self._encoding, self._content = binary, encoding, content
        self._file: IO[str] | None = None
        self._at = 0

    def tail(self, chars: int) -> str:
        """At least the last ``chars`` characters of the text (all of it when shorter).

        Read from the end where the encoding allows (UTF-8, cp1252: at most four bytes a
        character), else read through keeping the end; only the file's last row asks.
        """
        if self._content is not None:
            return self._content[-chars:]
        if self._binary is not None and self._encoding is not None:
            with self._binary() as f:
                size = f.seek(0, io.SEEK_END)
                f.seek(max(0, size - 4 * chars))
                data = f.read()
            # A cut inside a character spoils only the first, which the caller does not read.
            return data.decode(self._encoding, errors="replace")
        kept = ""
        with self._open() as f:
            while chunk := f.read(1 << 20):
                kept = (kept + chunk)[-chars:]
        return kept

    def __call__(self, number: int) -> str | None:
        if self._file is None or number <= self._at:
            if self._file is not None:
                self._file.close()
            self._file, self._at = self._open(), 0
        for line in self._file:
            self._at += 1
            if self._at == number:
                return line
        self.close()
        return None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def leading_field(line: str, delimiter: str, index: int) -> str | None:
    """Field ``index`` of one physical CSV line, read without the CSV module's field limit.

    Quotes are honoured as the CSV module honours them (a field that starts with a quote
    runs to the closing quote; doubled quotes are one). None when the line has fewer fields.
    """
    at, field_no = 0, 0
    end = len(line.rstrip("\r\n"))
    while at <= end:
        if line.startswith('"', at):
            close = at + 1
            while True:
                close = line.find('"', close)
                if close == -1:
                    return None  # an unclosed quote: the line alone does not say
                if line.startswith('""', close):
                    close += 2
                    continue
                break
            text = line[at + 1 : close].replace('""', '"')
            stop = line.find(delimiter, close + 1)
        else:
            stop = line.find(delimiter, at)
            text = line[at : stop if 0 <= stop < end else end]
        if field_no == index:
            return text
        if stop == -1 or stop >= end:
            return None
        at, field_no = stop + 1, field_no + 1
    return None


#: What the codecs say of bytes that end inside a character (UTF-8, UTF-16): the file's end.
_CUT_REASONS = frozenset({"unexpected end of data", "truncated data"})


class Readable:
    """Turn decoding errors into InputFileError naming the file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, UnicodeDecodeError) and exc.reason in _CUT_REASONS:
            raise InputFileError(
                f"{self.name}: the file ends in the middle of a character: it was cut short "
                "(a download or copy interrupted?); re-export it whole",
                field="file",
                value=self.name,
            )
        if isinstance(exc, UnicodeError):
            raise InputFileError(
                f"{self.name}: cannot decode the text: {exc}", field="file", value=self.name
            )
