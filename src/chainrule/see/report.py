"""The training report: one self-contained HTML file for a training run (needs matplotlib).

``training_report(path, history=..., metrics=..., network=..., config=..., data_summary=..., fixed=None)``
writes, with pictures inlined as SVG data and no external resources:

- the loss curves (training and validation, the epoch early stopping restored marked);
- the metrics of each split and the per-class table (precision, recall, F1, support), and
  the network's test score beside the linear model's and the trivial baseline's, with the
  verdict line;
- the network picture (architecture, as ``chainrule.plot.network`` draws it);
- the configuration used;
- the data summary (rows, columns, what was imputed or one-hot encoded), and the
  preprocessing the model stores, when it has one.
"""

from __future__ import annotations

import base64
import html
from importlib import resources

__all__ = ["training_report"]

METRICS = (
    ("rows", "rows"),
    ("loss", "loss"),
    ("accuracy", "accuracy"),
    ("r2", "R²"),
    ("mae", "MAE"),
    ("mse", "MSE"),
)


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value + 0.0:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) if value else "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items()) if value else "–"
    return "–" if value is None else str(value)


def _table(rows, header=None, table_id=None) -> str:
    head = "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>" if header else ""
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}>{head}{body}</table>"


def _picture(figure, alt: str, ident: str) -> str:
    """The figure as an inline SVG image (text kept as text, so it stays small)."""
    import io

    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", facecolor="white")
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img id="{ident}" alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


#: The facts of a run above its metrics, as a reader names them (metrics.json's keys).
FACTS = [
    ("task", "task"),
    ("loss_name", "loss"),
    ("epochs_run", "epochs trained"),
    ("best_epoch", "epoch kept by early stopping"),
]


def metrics_html(metrics: dict) -> str:
    """The metrics of each split (train, test, data) and the last split's per-class table."""
    splits = [s for s in ("train", "test", "data") if isinstance(metrics.get(s), dict)]
    keys = [(k, label) for k, label in METRICS if any(k in metrics[s] for s in splits)]
    rows = [[label, *(metrics[s].get(k) for s in splits)] for k, label in keys]
    out = _table(rows, ["", *splits], "metrics")
    facts = [(label, metrics[k]) for k, label in FACTS if k in metrics]
    out = _table(facts) + out
    which = next((s for s in reversed(splits) if metrics[s].get("per_class")), None)
    if which:
        per_class = [
            [r["label"], r["precision"], r["recall"], r["f1"], r["support"]]
            for r in metrics[which]["per_class"]
        ]
        out += f"<h3>Per class ({html.escape(which)})</h3>"
        out += _table(per_class, ["class", "precision", "recall", "F1", "support"], "per-class")
    if "verdict" in metrics:
        out += compared_html(metrics)
    return out


def compared_html(metrics: dict) -> str:
    """The test scores of the network and the two baselines, the model saved, and the line
    that compares them (what ``chainrule train`` prints under its metrics)."""
    network, baselines = metrics["network_test"], metrics["baselines"]
    key, label = ("accuracy", "accuracy") if "accuracy" in network else ("r2", "R²")
    rows = [["network", network[key]]]
    rows += [[baselines[which]["model"], baselines[which][key]] for which in ("linear", "trivial")]
    saved = "the linear model" if metrics.get("model") == "linear" else "the network"
    return (
        f"<h3>Compared (test {label})</h3>"
        + _table(rows, ["model", label], "compared")
        + f'<p id="verdict">saved model: {saved}. {html.escape(metrics["verdict"])}</p>'
    )


def preprocessing_rows(network) -> list[list]:
    """What the model's stored preprocessing does to each column (none without one)."""
    pre = getattr(network, "preprocessor", None)
    if pre is None:
        return []
    target = pre.target
    if pre.task == "regression":  # the network predicts the target standardised too
        target += (
            f": predicted as (y − {pre.target_mean:.6g}) / {pre.target_std:.6g}, given back in its units"
        )
    rows = [["target", target], ["task", pre.task]]
    for name in pre.features:
        if name in pre.categorical:
            rows.append([name, f"one-hot: {', '.join(pre.categorical[name])}"])
        else:
            stats = pre.numeric[name]
            rows.append([name, f"standardised: (x − {stats['mean']:.6g}) / {stats['std']:.6g}"])
    if pre.impute:
        rows.append(["missing values", f"imputed with the {pre.impute}"])
    return rows


def training_report(
    path, *, history, metrics: dict, network, config: dict, data_summary: dict, fixed=None
) -> str:
    """The report of one training run as HTML (see the module docstring), also written to ``path``
    (atomically) unless it is None.

    ``metrics`` is ``train_table``'s result (splits "train"/"test" with "loss", "accuracy",
    "per_class", ...); ``config`` and ``data_summary`` are shown as name → value tables.
    """
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    if not isinstance(data_summary, dict):
        raise TypeError(f"data_summary must be a dict, got {type(data_summary).__name__}")
    from .curves import loss_figure
    from .network_picture import network as network_figure

    shape = "-".join(str(s) for s in network.sizes)
    title, subtitle, curves_of = _headline(metrics, shape, history)
    curves = _picture(
        loss_figure(history), "loss curves: training and validation loss against epoch", "curves"
    )
    # ``fixed``: the weights between networks averaged side by side, never trained: not drawn
    picture = _picture(network_figure(network, fixed=fixed), f"network {shape}", "network")
    pre = preprocessing_rows(network)
    style = resources.files("chainrule.see").joinpath("page.css").read_text(encoding="utf-8")
    text = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Training report · {html.escape(title)}</title><style>{style}
.report {{ max-width: 1100px; margin: 0 auto; padding: 0 20px 20px; }} .report section {{ margin: 14px 0; }}
</style></head>
<body><div class="report">
<header><h1>Training report · {html.escape(title)}</h1>
<p>{html.escape(subtitle)}</p></header>
<section class="card"><h2>Loss curves{html.escape(curves_of)}</h2>{curves}</section>
<section class="card"><h2>Metrics</h2>{metrics_html(metrics)}</section>
<section class="card"><h2>Network</h2>{picture}</section>
<section class="card"><h2>Configuration</h2>{_table(sorted(config.items()), ["option", "value"], "config")}</section>
<section class="card"><h2>Data</h2>{_table(list(data_summary.items()), ["", ""], "data")}
{"<h3>Preprocessing stored with the model</h3>" + _table(pre, ["column", "what is done"], "preprocessing") if pre else ""}</section>
</div></body></html>
"""
    if path is not None:
        from ..safefile import atomic_write

        atomic_write(path, text.encode("utf-8"))
    return text


def _headline(metrics: dict, shape: str, history) -> tuple[str, str, str]:
    """(title, the line under it, what the curves are of): the saved model, named as what it
    is (a linear model kept instead of the trained network; networks side by side)."""
    trained = (
        f"{len(history.epoch)} epoch{'' if len(history.epoch) == 1 else 's'}{_restored(history.best_epoch)}"
    )
    if metrics.get("model") == "linear":
        rows = (metrics.get("choice") or {}).get("validation_rows")
        on = f"on its {rows} validation rows" if isinstance(rows, int) else "on the validation rows"
        return (
            f"linear model {shape}",
            f"the network trained {trained}; {on} it was not shown better than the linear model "
            "(no hidden layer), which is the saved model",
            " (of the network that was not kept)",
        )
    ensemble = metrics.get("ensemble")
    if isinstance(ensemble, dict) and ensemble.get("members"):
        members = ensemble["members"]
        return (
            f"network {shape}",
            f"{members} networks side by side, their outputs averaged; the first trained {trained}",
            " (of the first of the networks)",
        )
    return f"network {shape}", trained, ""


def _restored(best_epoch: int | None) -> str:
    """What early stopping gave back: an epoch, or the starting weights (epoch 0)."""
    if best_epoch is None:
        return ""
    if best_epoch == 0:
        return ", early stopping restored the starting weights (epoch 0)"
    return f", early stopping restored epoch {best_epoch}"
