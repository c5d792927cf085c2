"""What the commands print: notes on stderr, results on stdout as text tables or JSON."""

from __future__ import annotations

import json
import sys

__all__ = ["Output", "fmt", "metrics_table", "plain"]


class Output:
    """--quiet drops the notes, --json prints results as JSON, --verbose shows more."""

    def __init__(self, args):
        self.quiet = getattr(args, "quiet", False)
        self.verbose = getattr(args, "verbose", False)
        self.json = getattr(args, "json", False)

    def note(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)

    def result(self, text: str, data) -> None:
        if self.json:
            print(json.dumps(data, indent=2, allow_nan=False, default=plain))
        else:
            print(text)


def plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def fmt(value) -> str:
    """A number as the tables print it: 4 decimals from 0.001 up to a million (and 0), else 4
    significant digits (7.968e+07, 1.234e-09), so neither a huge error nor a tiny one is
    shown as a run of digits or as 0.0000."""
    if value is None:
        return "–"
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1e6 or value != value:
            return f"{value:.4f}"
        return f"{value:.4g}"
    return str(value)


def _one_line(text: str) -> str:
    """``text`` (a class label) with line breaks and tabs written as \\n, \\r and \\t."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def metrics_table(results: dict) -> str:
    """The metrics of one or more splits as an aligned text table."""
    splits = [s for s in ("train", "test", "data") if s in results]
    keys = [
        k for k in ("rows", "loss", "accuracy", "r2", "mae", "mse") if any(k in results[s] for s in splits)
    ]
    # A number's loss is on the standardised target (what training saw); MAE and MSE are in its units.
    labels = {
        "r2": "R²",
        "mae": "MAE",
        "mse": "MSE",
        "loss": "loss (target standardised)" if "r2" in keys else "loss",
    }
    width = max(len(labels.get(k, k)) for k in keys) + 2
    cells = {(key, s): fmt(results[s].get(key, "")) for key in keys for s in splits}
    column = max(12, *(len(cell) + 2 for cell in cells.values()))
    lines = [" " * width + "".join(f"{s:>{column}}" for s in splits)]
    for key in keys:
        label = labels.get(key, key)
        lines.append(f"{label:<{width}}" + "".join(f"{cells[key, s]:>{column}}" for s in splits))
    report = next((results[s]["per_class"] for s in reversed(splits) if "per_class" in results[s]), None)
    if report:
        which = next(s for s in reversed(splits) if "per_class" in results[s])
        label_width = max(8, *(len(_one_line(r["label"])) for r in report)) + 2
        lines += [
            "",
            f"per class ({which}):",
            f"{'class':<{label_width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
        ]
        for r in report:
            lines.append(
                f"{_one_line(r['label']):<{label_width}}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}{r['support']:>10}"
            )
    if "verdict" in results:
        lines += ["", *baseline_lines(results)]
    elif results.get("model") in ("linear", "network") and "test" not in results:  # --test-size 0
        lines += ["", _saved_without_test(results)]
    return "\n".join(lines)


def _saved_without_test(results: dict) -> str:
    """Which model a run without test rows saved, and why; no test scores to compare."""
    if results["model"] == "linear":
        return (
            "saved model: the linear model: on the validation rows the network was not better by more "
            "than their noise (--no-linear-fallback keeps the network); no test rows to compare them on"
        )
    return "saved model: the network; no test rows to compare it with the baselines on"


def compared_scores(results: dict) -> tuple[str, list[tuple[str, float]]]:
    """(the score's label, [(model, test score)]) of the network and the two baselines in
    ``results`` (metrics.json); what cannot be read, as in a damaged model file, is left out."""
    network, baselines = results.get("network_test"), results.get("baselines")
    if not (isinstance(network, dict) and isinstance(baselines, dict)):
        return "", []
    key = "accuracy" if "accuracy" in network else "r2"
    scores = [("network", network)] + [
        (str(baselines[which].get("model", which)), baselines[which])
        for which in ("linear", "trivial")
        if isinstance(baselines.get(which), dict)
    ]
    rows = [(name, score[key]) for name, score in scores if isinstance(score.get(key), (int, float))]
    return ("accuracy" if key == "accuracy" else "R²"), rows


def baseline_lines(results: dict) -> list[str]:
    """The test scores of the network and the two baselines, and the line that compares them."""
    label, rows = compared_scores(results)
    lines = []
    if rows:  # none when the score is not defined (R² of one test row)
        width = max(len(name) for name, _ in rows) + 2
        lines = [f"compared (test {label}):"]
        lines += [f"{name:<{width}}{fmt(float(value)):>12}" for name, value in rows]
    kept = "the linear model" if results.get("model") == "linear" else "the network"
    return [*lines, f"saved model: {kept}", results["verdict"]]
