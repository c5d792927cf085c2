"""What a file's first bytes say about its text: a wide encoding, a binary file, a delimiter.

- **UTF-16 and UTF-32** (Excel's "Unicode text", pandas' ``encoding="utf-16"``, SQL Server
  exports) start with a byte-order mark; ``wide_encoding`` names the encoding it marks, and
  the readers decode such a file as text like any other.
- **A NUL byte** in the first bytes is a binary file, or UTF-16 without its byte-order mark
  when every other byte is NUL; ``binary_kind`` says which, so the message can say what to do.
- **Excel's first line** ``sep=;`` names the file's delimiter (Excel writes it for a file
  whose delimiter differs from the system's list separator); ``separator_hint`` reads it.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["wide_encoding", "binary_kind", "separator_hint"]

#: Byte-order marks of the wide encodings, UTF-32's first (its little-endian mark begins with UTF-16's).
_WIDE_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
#: Excel's first line naming the delimiter: ``sep=;`` (quoted when a program re-saved it).
_SEPARATOR_LINE = re.compile(r'(?i)"?sep=([^"\r\n])"?[ \t]*(?:\r\n|\r|\n|$)')


def wide_encoding(head: bytes) -> str | None:
    """'utf-16' or 'utf-32' for bytes that start with that encoding's byte-order mark, else None."""
    return next((encoding for bom, encoding in _WIDE_BOMS if head.startswith(bom)), None)


def binary_kind(head: bytes) -> str:
    """What a file whose first bytes ``head`` hold a NUL looks like, for a message."""
    from .compressed import compression

    kind = compression(head)
    if kind is not None:  # gzip named .csv, read in chunks
        return f"a {kind}-compressed file, which is read whole, not in chunks; leave out chunk_rows="
    if len(head) >= 4 and any(head) and (not any(head[1::2]) or not any(head[0::2])):
        return "UTF-16 text without a byte-order mark; save the file as UTF-8 CSV"
    return "a binary file, not CSV text"


def separator_hint(text: str) -> str | None:
    """The delimiter Excel names on the first line of ``text`` (``sep=;``), or None."""
    found = _SEPARATOR_LINE.match(text)
    return found.group(1) if found else None
