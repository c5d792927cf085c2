"""``chainrule datasets``: list the built-in datasets."""

from __future__ import annotations

from .output import Output

HELP = "List the built-in datasets (shipped with scikit-learn; no download)."
EXAMPLES = """examples:
  chainrule datasets"""


def add_arguments(parser) -> None:
    pass


def run(args, out: Output) -> int:
    from ..tables.datasets import DATASETS

    rows = [
        {"name": d.name, "target": d.target, "task": d.task, "description": d.description}
        for d in DATASETS.values()
    ]
    width = max(len(r["name"]) for r in rows) + 2
    text = "\n".join(
        f"{r['name']:<{width}}{r['task']:<16}target {r['target']!r}: {r['description']}" for r in rows
    )
    out.result(text, rows)
    return 0
