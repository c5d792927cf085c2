"""The training report (chainrule.see.report.training_report), read as text and in Chromium."""

from __future__ import annotations

import html
import re

import pytest
from see_browser import launch_chromium, open_file

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")
from chainrule.see.report import training_report
from chainrule.tables.datasets import load_dataset
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.train import train_table


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A 30-16-16-1 model trained on the breast-cancer data with early stopping, and its report."""
    table, dataset = load_dataset("breast_cancer")
    config = TrainConfig(target=dataset.target, epochs=40, early_stopping=True, patience=3, verbose=0)
    result = train_table(table, config)
    path = tmp_path_factory.mktemp("report") / "report.html"
    options = {"hidden": "16,16", "lr": 0.001, "epochs": 40, "early_stopping": True}
    summary = {
        "rows": len(table),
        "columns": len(table.columns),
        "target": dataset.target,
        "notes": result.notes,
    }
    text = training_report(
        path, history=result.history, metrics=result.metrics, network=result.network, config=options,
        data_summary=summary,
    )  # fmt: skip
    return path, text, result


def test_report_holds_curves_metrics_picture_config_and_data(report):
    path, text, result = report
    assert path.read_text(encoding="utf-8") == text
    assert len(re.findall(r'<img id="(curves|network)"', text)) == 2
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert len(text.encode()) < 400_000
    test = result.metrics["test"]
    assert f"<td>{test['accuracy']:.6g}</td>" in text
    for row in test["per_class"]:
        assert f"<td>{row['label']}</td><td>{row['precision']:.6g}</td>" in text
    assert "<td>hidden</td><td>16,16</td>" in text
    assert "<td>rows</td><td>569</td>" in text and "standardised" in text
    assert f"early stopping restored epoch {result.history.best_epoch}" in text
    baselines = result.metrics["baselines"]
    for model in ("network", baselines["linear"]["model"], baselines["trivial"]["model"]):
        assert re.search(rf"<tr><td>{re.escape(html.escape(model))}</td><td>[0-9.]+</td></tr>", text), model
    assert html.escape(result.metrics["verdict"]) in text


def test_report_in_chromium_shows_its_picture_and_curves(report, tmp_path):
    path, _, _ = report
    playwright, browser = launch_chromium()
    try:
        opened = open_file(browser, path)
        for ident in ("curves", "network"):
            width = opened.page.eval_on_selector(f"#{ident}", "img => img.complete ? img.naturalWidth : 0")
            assert width > 300, f"the {ident} picture did not load"
        assert opened.page.is_visible("#per-class") and opened.page.is_visible("#compared")
        opened.page.screenshot(path=tmp_path / "report.png", full_page=True)
        assert opened.errors == [] and opened.requests == []
    finally:
        browser.close()
        playwright.stop()


def test_config_must_be_a_dict(report, tmp_path):
    _, _, result = report
    with pytest.raises(TypeError, match="config must be a dict"):
        training_report(
            tmp_path / "r.html", history=result.history, metrics=result.metrics, network=result.network,
            config=None, data_summary={},
        )  # fmt: skip


def test_a_report_names_the_saved_model_when_the_linear_model_was_kept():
    import numpy as np

    from chainrule.tables.read import Table

    rng = np.random.default_rng(0)
    x = rng.normal(size=120)
    labels = np.where(x + 0.3 * rng.normal(size=120) > 0, "a", "b")
    table = Table.from_columns("<one>", {"x": [f"{v:.3f}" for v in x], "y": list(labels)})
    result = train_table(table, TrainConfig(target="y", epochs=40, verbose=0))
    assert result.metrics["model"] == "linear"
    page = training_report(
        None,
        history=result.history,
        metrics=result.metrics,
        network=result.network,
        config={},
        data_summary={},
    )
    heading = re.search(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", page, re.S)
    assert heading.group(1) == "Training report · linear model 1-1"
    rows = result.metrics["choice"]["validation_rows"]
    assert "the network trained 40 epochs" in heading.group(2)
    assert f"on its {rows} validation rows it was not shown better than the linear model" in heading.group(2)
    assert "which is the saved model" in heading.group(2)
    assert "<h2>Loss curves (of the network that was not kept)</h2>" in page


def test_the_preprocessing_table_gives_the_stored_means_and_standard_deviations():
    from chainrule.see.report import preprocessing_rows

    table, dataset = load_dataset("diabetes")
    result = train_table(table, TrainConfig(target=dataset.target, epochs=2, verbose=0, ensemble=1))
    pre = result.network.preprocessor
    rows = dict(preprocessing_rows(result.network))
    first = pre.features[0]
    assert (
        rows[first]
        == f"standardised: (x − {pre.numeric[first]['mean']:.6g}) / {pre.numeric[first]['std']:.6g}"
    )
    assert f"(y − {pre.target_mean:.6g}) / {pre.target_std:.6g}" in rows["target"]


def test_the_metrics_facts_are_named_for_a_reader_not_by_json_keys(report):
    _, text, _ = report
    assert "epochs trained" in text and "epoch kept by early stopping" in text
    assert "epochs_run" not in text and "loss_name" not in text


def test_a_run_of_one_epoch_draws_its_losses_as_points_on_whole_epochs():
    """One point draws no line: the chart of a one-epoch run was empty, its ticks 0.95 to 1.05."""
    import numpy as np

    from chainrule import Network
    from chainrule.see.curves import loss_figure

    X = np.random.default_rng(0).normal(size=(50, 2))
    history = Network([2, 4, 1], seed=0).fit(X, X[:, :1], epochs=1, validation_split=0.2)
    ax = loss_figure(history).axes[0]
    drawn = {line.get_label(): line for line in ax.lines}
    assert drawn["training mse"].get_marker() == "o" and drawn["validation mse"].get_marker() == "s"
    assert ax.get_xlim() == (0, 2)


def test_the_report_is_laid_out_for_the_width_of_a_phone(report):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in report[1]


def test_the_report_of_an_ensemble_leaves_out_the_weights_between_its_networks():
    """They are 0 and never trained: explain's picture leaves them out and says so; the
    report drew them, 42 grey lines between two hidden layers."""
    import base64

    from chainrule.workflow.run_files import _report_page

    table, dataset = load_dataset("diabetes")
    result = train_table(table, TrainConfig(target=dataset.target, epochs=5, verbose=0))
    assert result.metrics["ensemble"]["members"] == 5
    text = _report_page(result, {"epochs": 5}, None)
    svg = base64.b64decode(
        re.search(r'<img id="network"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', text)[1]
    )
    assert b"not drawn: the weights between the networks averaged side by side" in svg


def test_the_loss_chart_legend_sits_below_the_axes_clear_of_every_curve():
    """Inside the axes, "restored by early stopping: ..." ran across the training curve."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from chainrule import Network
    from chainrule.see.curves import loss_figure

    X = np.random.default_rng(0).normal(size=(100, 2))
    history = Network([2, 4, 1], seed=0).fit(
        X, X[:, :1] ** 2, epochs=20, validation_split=0.2, early_stopping=3
    )
    figure = loss_figure(history)
    FigureCanvasAgg(figure).draw()
    ax = figure.axes[0]
    renderer = figure.canvas.get_renderer()
    legend, axes = ax.get_legend().get_window_extent(renderer), ax.get_window_extent(renderer)
    label = ax.xaxis.label.get_window_extent(renderer)
    assert (
        legend.y1 <= label.y0 <= axes.y0 and legend.y0 >= 0
    )  # under the axes and its label, inside the figure
