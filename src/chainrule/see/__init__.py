"""Seeing backpropagation: explain and gradcheck, network pictures, the walk-through page and the
training report.

- ``explain`` (``Network.explain``) — every weight's slope as node value × activation slope ×
  loss slope; ``gradcheck`` — the slopes against central differences;

- ``network(net, x=None, y=None, loss="mse", path=None)`` — the course's network picture
  (also ``chainrule.plot.network``; needs matplotlib);
- ``explain_html(net, x, y, loss="mse", lr=0.01, path=None)`` — one training step as a
  self-contained HTML page (also ``chainrule.explain_html``; needs only NumPy);
- ``training_report(path, *, history, metrics, network, config, data_summary, fixed=None)`` — a
  training run as one self-contained HTML file (needs matplotlib).
"""

from __future__ import annotations

from .network_picture import network
from .page import explain_html
from .report import training_report

__all__ = ["explain_html", "network", "training_report"]
