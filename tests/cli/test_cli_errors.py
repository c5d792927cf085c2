"""Bad input at the command line: one line on stderr, exit code 2, never a traceback.

Every case runs the real command, ``python -m chainrule ...``, in a subprocess. The
malformed CSV files and what their errors must say are in ``tests/data/malformed``
(``EXPECTED.toml``); bad options, bad model files and bad rows for ``explain`` are
listed below. The subprocesses run a few at a time, once per module, and the tests
read their results.
"""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

import chainrule
from cli_runner import chainrule_cli

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

DATA = Path(__file__).resolve().parents[1] / "data"
MALFORMED = DATA / "malformed"
EXPECTED = tomllib.loads((MALFORMED / "EXPECTED.toml").read_text(encoding="utf-8"))
EPOCHS = "2"

# The model every predict/evaluate/explain case runs against: x1, x2 (numbers) and
# color (red, green, blue) predict label (yes, no).
TRAINING_ROWS = [
    "x1,x2,color,label",
    *(
        f"{(i * 37 % 23) / 10 - 1.1:.2f},{(i * 11 % 17) / 8 - 1:.3f},{('red', 'green', 'blue')[i % 3]},"
        f"{'yes' if (i * 37 % 23) / 10 - 1.1 + (i % 3 == 0) > 0 else 'no'}"
        for i in range(30)
    ),
]

# Known src bugs, by file: {name: reason}; each marks that file's cases xfail (strict).
CORPUS_BUGS: dict[str, str] = {}
CORPUS_WRONG_PLACE: dict[str, str] = {}
# The quote opens on line 6; the error should point there.
EXTRA_FRAGMENTS = {"unclosed_quote.csv": [":6:"]}


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> dict[str, Path]:
    """One small model trained once through the command line: {"csv": its data, "model": its file}."""
    directory = tmp_path_factory.mktemp("cli-errors-model")
    csv_path = directory / "train.csv"
    csv_path.write_text("\n".join(TRAINING_ROWS) + "\n", encoding="utf-8")
    result = chainrule_cli(
        "train", csv_path, "--target", "label", "--epochs", "5", "--out", directory / "out", "--quiet"
    )
    assert result.returncode == 0, result.stderr
    return {"csv": csv_path, "model": directory / "out" / "model.safetensors"}


# --------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    """A command that must fail: ``args`` may use {model}, {csv}, {out}, {tmp} and {malformed}."""

    id: str
    args: tuple[str, ...]
    contains: tuple[str, ...]
    stdin: str | None = None
    bug: str | None = None  # a known src bug that fails both tests
    wrong_place: str | None = None  # a known src bug in where the error points


def _corpus_cases() -> list[Case]:
    cases = []
    for name, spec in EXPECTED.items():
        path = "{malformed}/" + name
        if spec["command"] == "train":
            args = ("train", path, *spec["args"], "--epochs", EPOCHS, "--out", "{out}")
        else:
            args = (spec["command"], "{model}", path, *spec["args"])
        contains = (name, *spec["contains"], *EXTRA_FRAGMENTS.get(name, []))
        cases.append(
            Case(
                "csv-" + name,
                args,
                contains,
                bug=CORPUS_BUGS.get(name),
                wrong_place=CORPUS_WRONG_PLACE.get(name),
            )
        )
    return cases


def _train(*options: str, contains=()) -> Case:
    flag = " ".join(options)
    return Case(
        "train " + flag,
        ("train", "{csv}", "--target", "label", "--epochs", EPOCHS, "--out", "{out}", *options),
        tuple(contains),
    )


OPTION_CASES = [
    # nonsensical numbers: the option's name and the value given
    Case(
        "loss poisson for classes",
        ("train", "{csv}", "--target", "label", "--loss", "poisson", "--out", "{out}"),
        ("--loss poisson", "raw counts", "mse or huber"),
    ),
    Case(
        "loss poisson for a number",
        ("train", "{csv}", "--target", "x1", "--loss", "poisson", "--out", "{out}"),
        ("--loss poisson", "raw counts"),
    ),
    Case(
        "loss cross_entropy for a number",
        ("train", "{csv}", "--target", "x1", "--loss", "cross_entropy", "--out", "{out}"),
        ("--loss cross_entropy", "regression takes mse, mae, sse, half_mse, huber"),
    ),
    Case("epochs -1", ("train", "{csv}", "--target", "label", "--epochs", "-1"), ("--epochs", "-1")),
    Case("epochs 0", ("train", "{csv}", "--target", "label", "--epochs", "0"), ("--epochs", "'0'")),
    Case("epochs 2.5", ("train", "{csv}", "--target", "label", "--epochs", "2.5"), ("--epochs", "2.5")),
    _train("--lr", "0", contains=("--lr", "'0'", "> 0")),
    _train("--lr", "-0.1", contains=("--lr", "-0.1")),
    _train("--lr", "nan", contains=("--lr", "nan")),
    _train("--lr", "inf", contains=("--lr", "inf")),
    _train("--lr", "fast", contains=("--lr", "fast")),
    _train("--batch-size", "0", contains=("--batch-size", "0")),
    _train("--batch-size", "-3", contains=("--batch-size", "-3")),
    _train("--test-size", "1.5", contains=("--test-size", "1.5")),
    _train("--test-size", "1", contains=("--test-size",)),
    _train("--test-size", "-0.1", contains=("--test-size", "-0.1")),
    _train("--hidden", "16,x", contains=("--hidden", "16,x")),
    _train("--hidden", "-3", contains=("--hidden", "-3")),
    _train("--activation", "swish", contains=("--activation", "swish")),
    _train("--optimizer", "rmsprop", contains=("--optimizer", "rmsprop")),
    _train("--dtype", "float16", contains=("--dtype", "float16")),
    _train("--task", "clustering", contains=("--task", "clustering")),
    _train("--loss", "hinge", contains=("--loss", "hinge")),
    _train("--patience", "-1", contains=("--patience", "-1")),
    _train("--validation-split", "1", contains=("--validation-split",)),
    _train("--weight-decay", "-1", contains=("--weight-decay", "-1")),
    _train("--seed", "-1", contains=("--seed", "-1")),
    _train("--seed", "x", contains=("--seed", "'x'")),
    _train("--categorical", "nope", contains=("--categorical", "'nope'")),
    _train("--bogus", contains=("--bogus",)),
    _train("--impute", "mode", contains=("--impute", "mode")),
    Case(
        "train without --target", ("train", "{csv}", "--epochs", EPOCHS), ("--target", "x1, x2, color, label")
    ),
    Case("train unknown dataset", ("train", "--dataset", "mnist"), ("--dataset", "mnist", "breast_cancer")),
    Case(
        "train missing file", ("train", "{tmp}/no-such.csv", "--target", "y"), ("no-such.csv", "no such file")
    ),
    Case("train directory as data", ("train", "{tmp}", "--target", "y"), ("directory",)),
    Case("train empty stdin", ("train", "-", "--target", "label"), ("<stdin>", "empty"), stdin=""),
    Case(
        "train --out is a file",
        ("train", "{csv}", "--target", "label", "--epochs", EPOCHS, "--out", "{csv}"),
        ("--out", "not a directory"),
    ),
    Case("unknown command", ("frobnicate",), ("frobnicate",)),
    # --config
    Case(
        "config missing",
        ("train", "{csv}", "--target", "label", "--config", "{tmp}/nope.toml"),
        ("nope.toml",),
    ),
    Case(
        "config not TOML",
        ("train", "{csv}", "--target", "label", "--config", "{tmp}/broken.toml"),
        ("broken.toml", "not valid TOML"),
    ),
    Case(
        "config unknown key",
        ("train", "{csv}", "--target", "label", "--config", "{tmp}/unknown.toml"),
        ("unknown.toml", "'epoch'"),
    ),
    Case(
        "config negative epochs",
        ("train", "{csv}", "--target", "label", "--config", "{tmp}/negative.toml"),
        ("--epochs", "-1"),
    ),
    Case(
        "config text epochs",
        ("train", "{csv}", "--target", "label", "--config", "{tmp}/text.toml"),
        ("--epochs", "'many'"),
    ),
    Case(
        "config boolean lr",
        ("train", "{csv}", "--target", "label", "--config", "{tmp}/boolean.toml"),
        ("--lr",),
    ),
    Case(
        "config is a directory",
        ("train", "{csv}", "--target", "label", "--config", "{tmp}"),
        ("cannot be read",),
    ),
    # model files that are not models
    Case("predict CSV as MODEL", ("predict", "{csv}", "{csv}"), ("train.csv", "not a chainrule model")),
    Case("evaluate CSV as MODEL", ("evaluate", "{csv}", "{csv}"), ("train.csv", "not a chainrule model")),
    Case("info CSV as MODEL", ("info", "{csv}"), ("train.csv", "not a chainrule model")),
    Case("explain CSV as MODEL", ("explain", "{csv}", "{csv}", "--row", "1"), ("not a chainrule model",)),
    Case("info empty model", ("info", "{tmp}/empty.safetensors"), ("empty.safetensors", "empty")),
    Case("predict empty model", ("predict", "{tmp}/empty.safetensors", "{csv}"), ("empty",)),
    Case("info missing model", ("info", "{tmp}/absent.safetensors"), ("absent.safetensors", "no such file")),
    Case("info directory as model", ("info", "{tmp}"), ("directory",)),
    Case("info foreign safetensors", ("info", "{tmp}/foreign.safetensors"), ("without chainrule metadata",)),
    Case("info flipped byte", ("info", "{tmp}/flipped.safetensors"), ("flipped.safetensors", "corrupted")),
    *(
        Case(
            f"predict truncated model at {cut}",
            ("predict", f"{{tmp}}/cut{cut}.safetensors", "{csv}"),
            ("cut", "truncated"),
        )
        for cut in ("4", "8", "100", "half", "last")
    ),
    Case("evaluate truncated model", ("evaluate", "{tmp}/cuthalf.safetensors", "{csv}"), ("truncated",)),
    # explain --row
    Case("explain --row 0", ("explain", "{model}", "{csv}", "--row", "0"), ("--row", "'0'", ">= 1")),
    Case("explain --row -1", ("explain", "{model}", "{csv}", "--row", "-1"), ("--row", "-1")),
    Case("explain --row 31", ("explain", "{model}", "{csv}", "--row", "31"), ("--row", "31", "<= 30")),
    Case("explain --row 1000000", ("explain", "{model}", "{csv}", "--row", "1000000"), ("--row", "1000000")),
    Case("explain --row first", ("explain", "{model}", "{csv}", "--row", "first"), ("--row", "first")),
    Case("explain without --row", ("explain", "{model}", "{csv}"), ("--row",)),
    Case(
        "explain unseen class",
        ("explain", "{model}", "{malformed}/evaluate_unseen_class.csv", "--row", "3"),
        (":4:", "'maybe'"),
    ),
    Case(
        "explain unseen category",
        ("explain", "{model}", "{tmp}/unseen_category_with_label.csv", "--row", "1"),
        ("'purple'", "'color'"),
    ),
    # prediction input and output
    Case("predict empty stdin", ("predict", "{model}", "-"), ("<stdin>", "empty"), stdin=""),
    Case(
        "predict unseen category from stdin",
        ("predict", "{model}", "-"),
        ("<stdin>:3:", "'purple'"),
        stdin="x1,x2,color\n0.1,0.2,red\n0.3,0.4,purple\n",
    ),
    Case(
        "predict a gap without --impute in the model",
        ("predict", "{model}", "{tmp}/gap_to_predict.csv"),
        ("line 3", "'x2'", "trained without --impute", "retrain with --impute median"),
    ),
    Case(
        "train with a gap in the target",
        ("train", "{tmp}/gap_in_target.csv", "--target", "label", "--out", "{out}"),
        ("'label'", "--drop-missing", "fill in the target"),
    ),
    Case(
        "train a target of one row per class",
        ("train", "-", "--target", "y", "--out", "{out}"),
        ("'y'", "read as 3 classes", "no class with 2 rows", "--task regression"),
        stdin="x,y\n1,2\n2,4\n3,7\n",
    ),
    Case(
        "train --ignore the target",
        ("train", "{csv}", "--target", "label", "--ignore", "label", "--out", "{out}"),
        ("--ignore", "'label', the target"),
    ),
    Case(
        "train --categorical the target",
        ("train", "{csv}", "--target", "label", "--categorical", "label", "--out", "{out}"),
        ("--categorical", "--task classification"),
    ),
    Case(
        "train DATA and --dataset",
        ("train", "{csv}", "--dataset", "iris", "--out", "{out}"),
        ("DATA", "--dataset iris", "not both"),
    ),
    Case(
        "train --hidden with an empty width",
        ("train", "{csv}", "--target", "label", "--hidden", "16,,16", "--out", "{out}"),
        ("--hidden", "empty width", "'16,,16'"),
    ),
    Case(
        "predict a folder holding no model",
        ("predict", "{tmp}/no-model", "{csv}"),
        ("no-model", "is a directory, not a model file", "model.safetensors"),
    ),
    Case(
        "predict -o in a missing directory",
        ("predict", "{model}", "{csv}", "-o", "{tmp}/no/such/dir/out.csv"),
        ("-o", "does not exist"),
    ),
]

ALL_CASES = [*_corpus_cases(), *OPTION_CASES]

# Missing values are refused by default; --impute and --drop-missing opt in and then succeed.
OPT_IN = [
    ("nan_text.csv", "--impute mean"),
    ("several_missing.csv", "--impute median"),
    ("blank_cell_middle.csv", "--drop-missing"),
]


def _prepare(tmp: Path, model: Path) -> None:
    """The files the option and model cases refer to."""
    (tmp / "broken.toml").write_text("epochs = [\n")
    (tmp / "unknown.toml").write_text("epoch = 3\n")
    (tmp / "negative.toml").write_text("epochs = -1\n")
    (tmp / "text.toml").write_text('epochs = "many"\n')
    (tmp / "boolean.toml").write_text("lr = true\n")
    (tmp / "empty.safetensors").write_bytes(b"")
    (tmp / "no-model").mkdir(exist_ok=True)
    (tmp / "unseen_category_with_label.csv").write_text("x1,x2,color,label\n0.1,0.2,purple,yes\n")
    (tmp / "gap_to_predict.csv").write_text("x1,x2,color\n0.1,0.2,red\n0.3,,blue\n")
    (tmp / "gap_in_target.csv").write_text(
        "\n".join([*TRAINING_ROWS[:5], "0.5,0.25,red,", *TRAINING_ROWS[5:]]) + "\n"
    )
    blob = model.read_bytes()
    for cut, size in {"4": 4, "8": 8, "100": 100, "half": len(blob) // 2, "last": len(blob) - 1}.items():
        (tmp / f"cut{cut}.safetensors").write_bytes(blob[:size])
    flipped = bytearray(blob)
    flipped[-3] ^= 0x10  # a bit in the last weight
    (tmp / "flipped.safetensors").write_bytes(bytes(flipped))
    save_file({"weight": np.zeros((2, 2), dtype=np.float32)}, str(tmp / "foreign.safetensors"))


def _expand(args: tuple[str, ...], values: dict[str, str]) -> list[str]:
    return [arg.format(**values) for arg in args]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-errors")


@pytest.fixture(scope="module")
def outcomes(trained, workdir) -> dict[str, subprocess.CompletedProcess]:
    """Run every failing case (and the opt-in successes) once, a few at a time."""
    tmp = workdir
    _prepare(tmp, trained["model"])
    jobs = {}
    for index, case in enumerate(ALL_CASES):
        values = {
            "model": str(trained["model"]),
            "csv": str(trained["csv"]),
            "tmp": str(tmp),
            "out": str(tmp / f"out{index}"),
            "malformed": str(MALFORMED),
        }
        jobs[case.id] = (_expand(case.args, values), case.stdin)
    for name, option in OPT_IN:
        jobs[f"opt-in {name} {option}"] = (
            [
                "train",
                str(MALFORMED / name),
                "--target",
                "label",
                *option.split(),
                "--epochs",
                EPOCHS,
                "--out",
                str(tmp / f"opt-in-{name}"),
            ],
            None,
        )
    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        futures = {
            key: pool.submit(chainrule_cli, *args, cwd=tmp, stdin=stdin)
            for key, (args, stdin) in jobs.items()
        }
        return {key: future.result() for key, future in futures.items()}


def _params(cases: list[Case], one_line: bool):
    """One pytest.param per case, with the known src bugs that test meets marked xfail."""
    params = []
    for case in cases:
        reason = case.bug
        if reason is None and not one_line:
            reason = case.wrong_place
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def _error_line(result: subprocess.CompletedProcess) -> str:
    """The error line (the last line of stderr), after the checks every case must pass."""
    assert "Traceback" not in result.stderr, result.stderr
    assert "\r" not in result.stderr, f"a progress bar on a non-terminal stderr: {result.stderr!r}"
    assert result.returncode == 2, f"exit code {result.returncode}; stderr: {result.stderr}"
    assert result.stderr.strip(), "nothing on stderr"
    last = result.stderr.rstrip("\n").split("\n")[-1]
    assert last.startswith("chainrule: error: "), result.stderr
    return last


@pytest.mark.parametrize("case", _params(ALL_CASES, one_line=False))
def test_bad_input_is_refused_with_the_reason(case, outcomes):
    """Exit code 2, no traceback, and the error line names file, line, column, value and what to do."""
    line = _error_line(outcomes[case.id])
    for fragment in case.contains:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert outcomes[case.id].stdout == ""


@pytest.mark.parametrize("case", _params(ALL_CASES, one_line=True))
def test_bad_input_gives_exactly_one_line_on_stderr(case, outcomes):
    result = outcomes[case.id]
    _error_line(result)
    assert result.stderr.endswith("\n")
    lines = result.stderr.rstrip("\n").split("\n")
    assert len(lines) == 1, f"{len(lines)} lines on stderr:\n{result.stderr}"


def test_the_corpus_is_complete():
    """Every malformed file has an expectation and every expectation a file; each is distinct."""
    files = {p.name for p in MALFORMED.iterdir() if p.name != "EXPECTED.toml"}
    assert files == set(EXPECTED)
    assert len(files) >= 35
    contents = [(MALFORMED / name).read_bytes() for name in sorted(files)]
    assert len(set(contents)) == len(contents), "two malformed files are identical"
    for name in files:
        assert (MALFORMED / name).stat().st_size < 10_000, f"{name} is not small"


@pytest.mark.parametrize(("name", "option"), OPT_IN, ids=[f"{n} {o}" for n, o in OPT_IN])
def test_missing_values_are_accepted_when_asked_for(name, option, outcomes, workdir):
    result = outcomes[f"opt-in {name} {option}"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    pre = chainrule.load(workdir / f"opt-in-{name}" / "model.safetensors").preprocessor
    if option == "--drop-missing":
        assert "dropped 1 rows with missing values" in result.stderr
        assert pre.impute is None
    else:
        assert pre.impute == option.split()[1]
        assert "fill" in pre.numeric["x2"]
