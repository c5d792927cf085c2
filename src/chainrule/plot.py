"""Pictures (public module; they need matplotlib, the ``plot`` extra, and live in ``chainrule.see``):
the loss against epoch, as the course plots it, and ``network``, the course's network picture."""

from .see.history import plot_history, require_matplotlib
from .see.network_picture import network

__all__ = ["network", "plot_history", "require_matplotlib"]
