"""Text in one Unicode form: NFC, the composed one, for names and categories.

The same visible text has two encodings when it holds accented letters: "ü" is one code point
(NFC, what Windows, Linux and most programs write) or "u" followed by a combining diaeresis
(NFD, what macOS file names and some Mac programs give). Compared as written, the two never
match, and a message showing both shows two identical-looking strings. Column names and the
texts read as categories or class labels are therefore put in NFC when read, for training
and prediction alike; a column of ASCII text (the common case) is passed through untouched,
found by one look at its bytes.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from .cells import arrow

__all__ = ["nfc", "nfc_name"]


def nfc_name(text: str) -> str:
    """One text in NFC."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _ascii(chunk) -> bool:
    """Whether an Arrow text array holds only ASCII (its value bytes read at once)."""
    pa, pc, _ = arrow()
    if pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type):
        values = chunk.buffers()[2]
        return values is None or not np.frombuffer(values, np.uint8).max(initial=0) & 0x80
    return bool(pc.all(pc.string_is_ascii(chunk)).as_py() is not False)


def nfc(texts):
    """An Arrow text array (or chunked array) in NFC; the same array when it is all ASCII."""
    pa, pc, _ = arrow()
    chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
    if all(_ascii(chunk) for chunk in chunks):
        return texts
    return pc.utf8_normalize(texts, form="NFC")
