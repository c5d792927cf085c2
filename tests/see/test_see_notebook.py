"""examples/course.ipynb runs in a fresh kernel, and its outputs hold pictures and the course's numbers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "course.ipynb"
SRC = Path(__file__).resolve().parents[2] / "src"


def test_course_notebook_runs_and_shows_the_course(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    html = "".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    text = "".join(o.get("text", "") for o in outputs)
    assert len(pictures) >= 3  # the network, its forward values, the loss curve
    assert "[9.]" in text and "[14. 28. 42.]" in text and "step.html True" in text
    assert "<img" in html and "mse loss 36" in html and "<td>72</td>" in html
