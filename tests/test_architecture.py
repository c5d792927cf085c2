"""The package's layers, as ARCHITECTURE.md draws them, checked against the code's imports.

From the bottom up: the base modules, ``nn/``, ``train/``, ``tables/``, ``files/`` and
``see/``, ``workflow/``, then the adapters ``sklearn/`` and ``cli/``. A module may import
its own layer or lower ones. The only imports that reach up are the one-line
conveniences listed in UPWARD, made inside the function that needs them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chainrule"

LAYERS = {
    "errors": 0,
    "_validation": 0,
    "_registry": 0,
    "_version": 0,
    "safefile": 0,
    "writes": 0,
    "course": 0,
    "nn": 1,
    "train": 2,
    "tables": 3,
    "files": 4,
    "see": 4,
    "workflow": 5,
    "sklearn": 6,
    "cli": 6,
    # the package's public face: re-exports, above everything
    "__init__": 9,
    "__main__": 9,
    "plot": 9,
    "optim": 9,
    "schedules": 9,
}

# (importing module, imported module): the conveniences that call up, each inside a function.
UPWARD = {
    ("nn.network", "train.loop"),  # Network.fit
    ("nn.network", "train.step"),  # Network.step
    ("nn.network", "files.modelfile"),  # Network.save, Network.load
    ("nn.network", "files.onnx"),  # Network.to_onnx
    ("nn.network", "see.explain"),  # Network.explain
    ("nn.network", "see.notebook"),  # Network._repr_png_ (Jupyter)
    ("train.callbacks", "see.history"),  # History.plot
    ("train.callbacks", "see.notebook"),  # History._repr_png_ (Jupyter)
}


def _name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def _imports(path: Path):
    """(imported module relative to chainrule, at module level?) for each chainrule import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _name(path).split(".")[:-1]
    top_level = set(map(id, tree.body))
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        target = [*base, *(node.module.split(".") if node.module else [])]
        names = [alias.name for alias in node.names] if not node.module else [None]
        for name in names:
            parts = target if name is None else [*target, name]
            yield ".".join(parts), id(node) in top_level


def _modules():
    return [path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts]


def test_every_module_sits_in_a_layer():
    unplaced = [_name(p) for p in _modules() if _name(p).split(".")[0] not in LAYERS]
    assert not unplaced, f"add these to LAYERS (and ARCHITECTURE.md): {unplaced}"


def test_no_module_imports_a_higher_layer_except_the_named_conveniences():
    wrong = []
    for path in _modules():
        here = _name(path)
        for target, at_top in _imports(path):
            if target.split(".")[0] not in LAYERS or _layer(target) <= _layer(here):
                continue
            if at_top or (here, target) not in UPWARD:
                wrong.append(f"{here} -> {target}" + (" (at import time)" if at_top else ""))
    assert not wrong, "imports that reach up a layer:\n" + "\n".join(wrong)


def test_no_module_takes_another_modules_private_names():
    wrong = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                # a private module of one's own package is fine (train.loop uses train._fastpath)
                wrong += [
                    f"{_name(path)}: {alias.name} from {'.' * node.level}{node.module or ''}"
                    for alias in node.names
                    if alias.name.startswith("_") and alias.name != "__version__" and node.module is not None
                ]
    assert not wrong, "\n".join(wrong)


def test_no_module_is_over_400_lines():
    long = {_name(p): n for p in _modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"split these by job: {long}"


def _loaded(code: str) -> set[str]:
    """The top-level packages ``python -X importtime -c code`` imports (those it only tried, such
    as the ``org.python.core`` that ``copy`` looks for on Jython, are not in sys.modules after)."""
    code += "; import sys; print(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    present = {name.split(".")[0] for name in done.stdout.split()}
    loaded = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name in present:
                loaded.add(name)
    return loaded


def test_importing_chainrule_loads_only_numpy_and_the_standard_library():
    # What the interpreter loads at start-up on its own (site hooks) is not chainrule's doing.
    loaded = _loaded("import chainrule") - _loaded("pass")
    outside = {name for name in loaded if name not in sys.stdlib_module_names and not name.startswith("_")}
    assert "chainrule" in loaded and "numpy" in loaded
    assert outside <= {"chainrule", "numpy"}, (
        f"import chainrule also loads {sorted(outside - {'chainrule', 'numpy'})}"
    )
