"""The files a training run leaves in its output folder: model, metrics, configuration, loss curve."""

from __future__ import annotations

import json
from pathlib import Path

from ..safefile import atomic_write
from .train import TrainResult

__all__ = ["write_run", "config_toml", "plain"]


def plain(value):
    """``json.dumps``' default for NumPy values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_run(
    directory, result: TrainResult, settings: dict, report=None, data_summary: dict | None = None
) -> tuple[list[str], list[str]]:
    """Write ``model.safetensors``, ``metrics.json``, ``config.toml`` and ``loss.png`` into
    ``directory`` (which must exist), and the HTML training report to ``report`` when given.
    ``settings`` are what config.toml records, so that ``chainrule train --config
    config.toml`` repeats the run. Returns (written, notes)."""
    directory = Path(directory)
    result.network.save(directory / "model.safetensors")
    metrics_json = {**result.metrics, "history": result.history.history}
    atomic_write(
        directory / "metrics.json",
        json.dumps(metrics_json, indent=2, allow_nan=False, default=plain).encode(),
    )
    atomic_write(directory / "config.toml", config_toml(settings).encode())
    written, notes = ["model.safetensors", "metrics.json", "config.toml"], []
    try:
        result.history.plot(directory / "loss.png", title=f"{result.metrics['loss_name']} against epoch")
        written.append("loss.png")
    except ImportError as error:
        notes.append(f"no loss.png: {error}")
    if report is not None:
        from ..see.report import training_report

        summary = {
            "rows": sum(result.metrics["rows"].values()),
            **(data_summary or {}),
            "notes": result.notes,
        }
        training_report(
            report,
            history=result.history,
            metrics=result.metrics,
            network=result.network,
            config=settings,
            data_summary=summary,
        )
        written.append(str(report))
    return written, notes


def config_toml(settings: dict) -> str:
    """The settings as TOML, one ``key = value`` a line (None values are left out)."""
    lines = ["# the configuration of this run: chainrule train --config config.toml repeats it"]
    for key in sorted(settings):
        value = settings[key]
        if value is None or key in ("config",) or (key == "data" and value == "-"):
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = repr(value)
        elif isinstance(value, (list, tuple)):
            text = "[" + ", ".join(json.dumps(v) for v in value) + "]"
        else:
            text = json.dumps(str(value))
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"
