"""The files a training run leaves in its output folder: model, metrics, configuration, loss curve."""

from __future__ import annotations

import json
from pathlib import Path

from ..safefile import atomic_write
from .run_folder import write_folder
from .train import TrainResult

__all__ = ["write_run", "config_toml", "plain", "own_files", "report_name_inside"]


def plain(value):
    """``json.dumps``' default for NumPy values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_run(
    directory, result: TrainResult, settings: dict, report=None, data_summary: dict | None = None
) -> tuple[list[str], list[str]]:
    """Write ``model.safetensors``, ``metrics.json``, ``config.toml`` and ``loss.png`` into
    ``directory`` as one unit (see ``run_folder``: built beside it and swapped in whole, so a
    failure leaves it as it was), and the HTML training report to ``report`` when given,
    only once the folder is in place. ``settings`` are what config.toml records, so that
    ``chainrule train --config config.toml`` repeats the run. Returns (written, notes)."""
    directory = Path(directory)
    inside = report_name_inside(directory, report) is not None
    metrics_json = json.dumps(
        {**result.metrics, "history": result.history.history}, indent=2, allow_nan=False, default=plain
    )
    page = None if report is None else _report_page(result, settings, data_summary)
    written, notes = ["model.safetensors", "metrics.json", "config.toml"], []

    def write(folder: Path) -> None:
        result.network.save(folder / "model.safetensors")
        atomic_write(folder / "metrics.json", metrics_json.encode())
        atomic_write(folder / "config.toml", config_toml(settings).encode())
        try:
            title = f"{result.metrics['loss_name']} against epoch"
            ensemble = result.metrics.get("ensemble")
            if ensemble:  # result.history is member 0's
                title += f"\nthe first of the {ensemble['members']} averaged networks"
            result.history.plot(folder / "loss.png", title=title)
            written.append("loss.png")
        except ImportError as error:
            notes.append(f"no loss.png: {error}")
        if inside:
            atomic_write(folder / Path(report).name, page.encode("utf-8"))

    write_folder(directory, write, extra=own_files(directory, report))
    if report is not None:
        if not inside:
            atomic_write(report, page.encode("utf-8"))
        written.append(str(report))
    return written, notes


def own_files(directory, report) -> list[str]:
    """The files besides ``RUN_FILES`` a run in ``directory`` may replace: the report it writes
    there, and the one the previous run wrote there (its config.toml names it)."""
    names = [name for name in (report_name_inside(directory, report), _previous_report(directory)) if name]
    return sorted(set(names))


def _previous_report(directory) -> str | None:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        recorded = tomllib.loads((Path(directory) / "config.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    report = recorded.get("report")
    return report_name_inside(directory, report) if isinstance(report, str) else None


def report_name_inside(directory, report) -> str | None:
    """The report's file name when ``report`` is a file in ``directory`` (it then goes into
    the run's folder with the other files), else None."""
    if report is None or Path(report).absolute().parent != Path(directory).absolute():
        return None
    return Path(report).name


def _report_page(result: TrainResult, settings: dict, data_summary: dict | None) -> str:
    from ..see.report import training_report
    from .ensemble import fixed_weights, members_of

    # The caller's notes win (the command line's name its flags, where these name parameters).
    summary = {"rows": sum(result.metrics["rows"].values()), "notes": result.notes, **(data_summary or {})}
    return training_report(
        None,
        history=result.history,
        metrics=result.metrics,
        network=result.network,
        config=settings,
        data_summary=summary,
        fixed=fixed_weights(result.network, members_of(result.network)),
    )


def config_toml(settings: dict) -> str:
    """The settings as TOML, one ``key = value`` a line. None values are left out, but for
    ``batch_size``, where None means full-batch and is written ``"full"``. Text is written as
    TOML basic strings, UTF-8 as it is (emoji too), with only what TOML requires escaped."""
    lines = ["# the configuration of this run: chainrule train --config config.toml repeats it"]
    if settings.get("data") == "-":
        lines.append(
            "# the data came from stdin: give it again, chainrule train - --config config.toml < DATA"
        )
    for key in sorted(settings):
        value = settings[key]
        if key == "batch_size" and value is None:
            value = "full"
        if value is None or key == "config":
            continue
        if isinstance(value, (list, tuple)):
            text = "[" + ", ".join(_toml_value(v) for v in value) + "]"
        else:
            text = _toml_value(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        elif 0xD800 <= ord(char) <= 0xDFFF:  # a lone surrogate (an undecodable file name): not text
            raise ValueError(f"{text!r} cannot be written as TOML text (it is not valid Unicode)")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
