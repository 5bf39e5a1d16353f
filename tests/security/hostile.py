"""Hostile files, built in a moment, and a way to read them in another process.

``zip_bomb`` writes the issue's 1 MB zip whose ``events.csv`` unpacks to 1 GiB of commas
(deflate blocks of a mebibyte of commas, each flushed so that it can be repeated: the
archive is written without compressing a gibibyte).  ``far_cell_workbook`` is a small
.xlsx with one cell at XFD1048576.  ``run_isolated`` reads a file in a child Python whose
memory is capped, and says how it ended, how long it took and its peak memory: a reader
that would take the whole machine fails there instead of taking the test run with it.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from typing import Any

from django.conf import settings
from openpyxl import Workbook

MIB = 1 << 20
#: The rows of a valid small book, for the members beside the bomb.
SMALL_TABLES = {
    "units.csv": "unit_code,name,commune_code,as_of\nTDP01,Tổ dân phố 1,00118,2024-06-30\n",
    "households.csv": "household_id,commune_code,as_of\nH1,00118,2024-06-30\n",
    "persons.csv": (
        "person_id,household_id,full_name,sex,birth_date,registered_on\n"
        "P1,H1,Nguyễn Văn An,M,1980-03-12,2021-01-01\n"
    ),
}


def _deflated(data: bytes) -> tuple[bytes, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return packed, zlib.crc32(data)


def zip_bomb(path: Path, *, mebibytes: int = 1024, stated_size: int | None = None) -> Path:
    """A .zip of the small tables and an ``events.csv`` of ``mebibytes`` MiB of commas.
    ``stated_size`` writes another unpacked size in the archive's headers (a lie)."""
    chunk = b"," * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    bomb = block * mebibytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    members = [
        (name.encode(), *_deflated(text.encode()), len(text.encode()))
        for name, text in SMALL_TABLES.items()
    ]
    size = mebibytes * MIB if stated_size is None else stated_size
    members.append((b"events.csv", bomb, crc, size))
    out = bytearray()
    central = bytearray()
    for name, data, checksum, unpacked in members:
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, checksum, len(data), unpacked,
            len(name), 0,
        )  # fmt: skip
        out += name + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, checksum, len(data),
            unpacked, len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += name
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                       len(central), start, 0)  # fmt: skip
    path.write_bytes(bytes(out))
    return path


def far_cell_workbook(
    *, sheets: tuple[str, ...] = ("danso",), far: str = "XFD1048576", dimension: bool = True
) -> bytes:
    """A small .xlsx: a header and a few rows on each sheet, and on the last sheet one
    cell at ``far``.  Without ``dimension`` the sheets say nothing of their size."""
    book = Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    for title in sheets:
        sheet = book.create_sheet(title)
        sheet.append(["code", "year", "total", "male", "female"])
        for number in range(1, 200):
            sheet.append([f"{number:05}", 2024, 1000 + number, 500, 500 + number])
    sheet[far] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    if dimension:
        return content
    return _without_dimensions(content)


def _without_dimensions(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                start = text.find("<dimension")
                if start >= 0:
                    end = text.index("/>", start) + 2
                    text = text[:start] + text[end:]
                data = text.encode()
            target.writestr(info.filename, data)
    return out.getvalue()


#: What ``run_isolated`` runs to read a register book (``sys.argv[1]``) as an import does.
READ_BOOK = """
from danso.register import exchange
book = exchange.open_book(Path(sys.argv[1]))
for table in exchange.TABLES:
    if book.has(table):
        with book.read(table) as data:
            for _row in data.rows:
                pass
"""
#: ... and a table (population or entered figures, a life table).
READ_TABLE = """
from danso.tables import read_table
read_table(Path(sys.argv[1]).read_bytes(), Path(sys.argv[1]).name)
"""

_PRELUDE = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
sys.path.insert(0, {root!r})
from pathlib import Path
outcome, message = "read", ""
started = time.perf_counter()
try:
{body}
except BaseException as error:
    outcome, message = type(error).__name__, str(error)[:2000]
seconds = time.perf_counter() - started
# VmHWM is this program's own peak (ru_maxrss would count the parent's at the fork)
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
print(json.dumps({{"outcome": outcome, "message": message, "seconds": seconds, "peak_mb": peak}}))
"""


def run_isolated(
    body: str, *args: str, timeout: float = 30.0, memory_mb: int = 2048
) -> dict[str, Any]:
    """Run ``body`` (Python, with ``sys.argv[1:]`` = ``args``) in a child process whose
    address space is capped at ``memory_mb``; the outcome is ``"read"`` if it ended
    normally, the name of the exception it raised, or ``"timeout"``; ``seconds`` is the
    time ``body`` took and ``peak_mb`` the child's peak resident memory (Linux's VmHWM)."""
    script = _PRELUDE.format(
        memory=memory_mb * MIB,
        root=str(settings.BASE_DIR),
        body=textwrap.indent(textwrap.dedent(body), "    "),
    )
    try:
        completed = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": "timeout", "message": "", "seconds": timeout, "peak_mb": 0.0}
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return {
            "outcome": f"exit {completed.returncode}",
            "message": completed.stderr[-2000:],
            "seconds": 0.0,
            "peak_mb": 0.0,
        }
    result: dict[str, Any] = json.loads(lines[-1])
    return result
