"""Compressed CSV files, known by their first bytes: gzip, bzip2 and xz are read (decompressed
in memory, as pandas reads ``data.csv.gz``); zip archives and Zstandard are named, with what
to do, since the standard library cannot read them as one file of text.
"""

from __future__ import annotations

import bz2
import gzip
import lzma

__all__ = ["compression", "compressed_file", "decompressed"]

#: First bytes → (name, opener) of the compressions read here.
_READ = {b"\x1f\x8b": ("gzip", gzip.open), b"BZh": ("bzip2", bz2.open), b"\xfd7zXZ\x00": ("xz", lzma.open)}
#: First bytes → what to do with the compressions refused.
_REFUSED = {
    b"PK\x03\x04": "is a zip archive; unzip it and give the CSV file inside",
    b"\x28\xb5\x2f\xfd": "is compressed with Zstandard; decompress it first (zstd -d)",
}


def compression(head: bytes) -> str | None:
    """The name of the compression read here whose magic bytes ``head`` starts with, or None."""
    return next((name for magic, (name, _) in _READ.items() if head.startswith(magic)), None)


def compressed_file(path) -> bool:
    """Whether the file at ``path`` is compressed (its bytes are not the text it holds)."""
    with open(path, "rb") as file:
        return compression(file.read(8)) is not None


def decompressed(raw: bytes, limit: int) -> bytes:
    """``raw`` decompressed when it is gzip, bzip2 or xz (at most ``limit`` bytes of text), as
    it is when it is not compressed. ValueError, with the reason for a message, for a zip
    archive, Zstandard, a damaged file or one whose text is larger than ``limit``."""
    import io

    for magic, reason in _REFUSED.items():
        if raw.startswith(magic):
            raise ValueError(reason)
    for magic, (name, opener) in _READ.items():
        if raw.startswith(magic):
            try:
                with opener(io.BytesIO(raw)) as file:
                    text = file.read(limit + 1)
            except (OSError, EOFError, lzma.LZMAError) as error:
                raise ValueError(f"is a damaged {name} file ({error}); compress it again") from None
            if len(text) > limit:
                raise ValueError(
                    f"decompresses to more than {limit // 1024**3} GB; chainrule reads CSV files up to that"
                )
            return text
    return raw
