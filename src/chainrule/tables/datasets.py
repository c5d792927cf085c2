"""Datasets that ship inside a dependency (scikit-learn's bundled copies): no download.

``chainrule train`` without a DATA file trains on ``breast_cancer``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .read import Table

__all__ = ["DATASETS", "load_dataset"]


@dataclass(frozen=True)
class Dataset:
    name: str
    loader: str  # the scikit-learn function's name, called from the fixed table below
    target: str
    task: str
    description: str


DATASETS = {
    "breast_cancer": Dataset(
        "breast_cancer", "load_breast_cancer", "diagnosis", "classification",
        "569 tumours, 30 measurements; malignant or benign (Wisconsin)",
    ),
    "iris": Dataset("iris", "load_iris", "species", "classification", "150 irises, 4 measurements; 3 species"),
    "wine": Dataset("wine", "load_wine", "cultivar", "classification", "178 wines, 13 chemical measurements; 3 cultivars"),
    "digits": Dataset("digits", "load_digits", "digit", "classification", "1,797 handwritten digits, 8×8 pixels; 10 classes"),
    "diabetes": Dataset(
        "diabetes", "load_diabetes", "progression", "regression",
        "442 patients, 10 baseline variables; disease progression after a year",
    ),
}  # fmt: skip


def load_dataset(name: str) -> tuple[Table, Dataset]:
    """The named dataset as a Table whose last column is its target."""
    if name not in DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)} (chainrule datasets)"
        )
    try:
        from sklearn import datasets as sk_datasets
    except ImportError:
        raise ImportError(
            "the built-in datasets come from scikit-learn: pip install 'chainrule[cli]' (or pass a CSV file)"
        ) from None
    info = DATASETS[name]
    loaders = {
        "load_breast_cancer": sk_datasets.load_breast_cancer,
        "load_iris": sk_datasets.load_iris,
        "load_wine": sk_datasets.load_wine,
        "load_digits": sk_datasets.load_digits,
        "load_diabetes": sk_datasets.load_diabetes,
    }
    bunch = loaders[info.loader]()
    names = [str(n).replace(" ", "_") for n in bunch.feature_names]
    columns = {n: [repr(float(v)) for v in bunch.data[:, j]] for j, n in enumerate(names)}
    if info.task == "classification":
        target_names = [str(t) for t in getattr(bunch, "target_names", [])] or None
        columns[info.target] = [target_names[int(t)] if target_names else str(int(t)) for t in bunch.target]
    else:
        columns[info.target] = [repr(float(t)) for t in bunch.target]
    return Table.from_columns(f"<dataset {name}>", columns), info
