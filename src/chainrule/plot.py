"""Pictures (public module; needs matplotlib, the ``plot`` extra). They live in ``chainrule.see``."""

from .see.history import plot_history, require_matplotlib

__all__ = ["plot_history", "require_matplotlib"]
