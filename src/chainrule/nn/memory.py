"""How much memory a network and its training need, checked before anything is allocated.

``Network([30, 100_000_000, 1])`` would ask NumPy for 24 GB and take the machine down
with it. So the network and ``fit`` estimate their arrays' bytes first and compare
them with ``max_memory``: by default the memory the machine has available (Linux's
``MemAvailable``; where that cannot be read, nothing is checked).
"""

from __future__ import annotations

import math
from itertools import pairwise

from .._validation import real_number
from ..errors import OptionError

__all__ = ["available_bytes", "check_memory", "network_bytes", "size_text", "training_bytes"]


def available_bytes() -> int | None:
    """The memory available to new processes (``MemAvailable`` in /proc/meminfo), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def network_bytes(sizes, itemsize: int) -> int:
    """The weights and biases, plus the largest layer's float64 draw of initial weights."""
    weights = sum(n_in * n_out + n_out for n_in, n_out in pairwise(sizes))
    largest = max(n_in * n_out for n_in, n_out in pairwise(sizes))
    return weights * itemsize + largest * 8


def training_bytes(sizes, itemsize: int, batch: int, state_copies: int) -> int:
    """What ``fit`` adds to the network: its flat gradient, the copy divergence rolls back
    to, the optimizer's ``state_copies`` arrays of the parameters' size, and for every
    layer z, a, dL/da and dL/dz of one batch."""
    parameters = sum(n_in * n_out + n_out for n_in, n_out in pairwise(sizes))
    nodes = sum(sizes[1:])
    return (parameters * (2 + state_copies) + 4 * batch * nodes) * itemsize


def check_memory(needed: int, what: str, max_memory=None, layers: str = "hidden=") -> None:
    """Refuse ``needed`` bytes past ``max_memory`` (bytes; None: what is available) with an
    OptionError that says what to do; ``layers`` is the parameter that sets the widths where
    the caller was given them (``hidden=`` for a table, ``sizes=`` for a ``Network``)."""
    if max_memory is None:
        limit, source = available_bytes(), "available on this machine"
        if limit is None:
            return
    else:
        limit, source = real_number(max_memory, "max_memory"), "allowed by max_memory"
        if not limit > 0:
            raise OptionError("max_memory", f"must be a number of bytes > 0, got {max_memory!r}")
    if needed > limit:
        raise OptionError(
            "max_memory",
            f"is {size_text(limit)} ({source}), but {what} needs about {size_text(needed)}; use fewer "
            f"or smaller layers ({layers}) or a smaller batch_size=, or set max_memory= higher to try anyway",
        )


def size_text(nbytes: float) -> str:
    """A number of bytes as people read it: "13.9 GB", "50.0 MB", "unlimited"."""
    if math.isinf(nbytes):
        return "unlimited"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes:g} bytes"
