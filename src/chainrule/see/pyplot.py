"""matplotlib, loaded only when a picture is drawn (the ``plot`` extra), and PNG bytes of a figure."""

from __future__ import annotations

import io

__all__ = ["figure_png", "require_matplotlib", "save_figure"]


def require_matplotlib():
    """pyplot, with the non-interactive Agg backend when no display is set."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'chainrule[plot]'") from None
    import os

    if not os.environ.get("DISPLAY") and matplotlib.get_backend().lower() not in (
        "agg",
        "module://matplotlib_inline.backend_inline",
    ):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(figure, dpi: int = 90) -> bytes:
    """PNG bytes of a matplotlib Figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def save_figure(figure, path, **options) -> None:
    """``figure.savefig(path)`` through ``safefile.atomic_write``: rendered in memory, then
    written atomically (or through, to a FIFO or ``/dev/stdout``), in the format the
    file's suffix names (matplotlib's default, PNG, without one)."""
    from pathlib import Path

    from ..safefile import atomic_write

    buffer = io.BytesIO()
    figure.savefig(buffer, format=Path(path).suffix[1:].lower() or None, **options)
    atomic_write(path, buffer.getvalue())
