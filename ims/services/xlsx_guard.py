"""Bounds on an uploaded workbook, checked from its zip directory and the first bytes of its parts before
openpyxl reads anything (issue 14, High 2): an 89 KB file can declare two million shared strings or a
sheet of A1:XFD1048576, and openpyxl would build all of it in memory or walk every padded row."""

import re
import zipfile

from core.errors import RuleViolation

MAX_UNCOMPRESSED = 120 * 1024 * 1024  # all parts together, uncompressed
MAX_PARTS = 300
MAX_RATIO = 200  # uncompressed / compressed, for any part over 1 MB uncompressed
MAX_SHARED_STRINGS = 300_000
MAX_ROWS = 100_000  # data rows per sheet: an IMS export sheet holds one row per record
MAX_COLUMNS = 64
_COUNT = re.compile(rb'\b(?:uniqueCount|count)="(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _refuse(message: str) -> RuleViolation:
    return RuleViolation("UNSUPPORTED_FORMAT", message, status=400)


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n


def check_workbook(source, *, max_rows: int = MAX_ROWS, what: str = "an IMS export workbook") -> None:
    """Raise 400 UNSUPPORTED_FORMAT when the workbook is not a zip, is too big uncompressed, compresses
    suspiciously well, declares too many shared strings, or has a sheet declared larger than ``what`` (an IMS
    export by default) can be: ``max_rows`` data rows. ``source`` is a path or a binary file object (left at
    position 0)."""
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("The file is not an Excel workbook (.xlsx).")
    try:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(f"The workbook has more than {MAX_PARTS} parts; it is not {what}.")
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
            raise _refuse(f"The workbook is larger than {MAX_UNCOMPRESSED // (1024 * 1024)} MB uncompressed.")
        for i in infos:
            if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise _refuse(f"The workbook compresses like a zip bomb; it is not {what}.")
        for i in infos:
            name = i.filename.lower()
            if name.endswith("sharedstrings.xml"):
                head = _head(zf, i)
                counts = [int(m) for m in _COUNT.findall(head[:2048])]
                if any(c > MAX_SHARED_STRINGS for c in counts):
                    raise _refuse(f"The workbook declares more than {MAX_SHARED_STRINGS:,} distinct texts.")
            elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                m = _DIMENSION.search(_head(zf, i))
                if m and m.group(3):
                    rows = int(m.group(4)) - int(m.group(2)) + 1
                    cols = column_number(m.group(3)) - column_number(m.group(1)) + 1
                    if rows > max_rows + 1 or cols > MAX_COLUMNS:
                        raise _refuse(
                            f"A sheet is declared as {m.group(1).decode()}{m.group(2).decode()}:"
                            f"{m.group(3).decode()}{m.group(4).decode()}; {what} has at most "
                            f"{max_rows:,} rows and {MAX_COLUMNS} columns."
                        )
    except zipfile.BadZipFile:
        raise _refuse("The file is not an Excel workbook (.xlsx).")
    finally:
        zf.close()
        if hasattr(source, "seek"):
            source.seek(0)


def _head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 4096) -> bytes:
    with zf.open(info) as fh:
        return fh.read(size)
