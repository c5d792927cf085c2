"""Turning user input into checked arrays and numbers, with errors that name the argument."""

from __future__ import annotations

import math
import numbers
import sys

import numpy as np

DTYPES = {"float64": np.float64, "float32": np.float32}


def as_dtype(dtype) -> np.dtype:
    """np.float32 or np.float64 from a name, a NumPy dtype or a type."""
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.name not in DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return resolved


def _first_nonfinite(array: np.ndarray) -> str:
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
    if array.ndim == 2:
        return f"row {index[0]}, column {index[1]}: {float(array[index])}"
    return f"position {index}: {float(array[index])}"


def as_matrix(values, name: str, dtype: np.dtype, width: int | None = None) -> tuple[np.ndarray, bool]:
    """``values`` as a 2-D finite array of ``dtype``; a 1-D input is one sample.

    Returns the array and whether the input was 1-D (one sample). A SciPy sparse matrix
    stays sparse: CSR of ``dtype`` (see ``sparse_matrix``).
    """
    if is_sparse(values):
        return sparse_matrix(values, name, dtype, width), False
    raw = values if isinstance(values, np.ndarray) else _rectangular(values, name)
    if raw.dtype.kind in "cUSOV" and raw.size and not (raw.dtype.kind == "O" and _all_real(raw)):
        what = "complex numbers" if raw.dtype.kind == "c" else f"{raw.dtype} values"
        raise ValueError(f"{name} must be numeric (real numbers), got {what}; convert it first")
    try:
        array = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from None
    single = array.ndim == 1
    if single:
        array = array[None, :]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (one sample) or 2-D (samples × features), got shape {array.shape}"
        )
    if width is not None and array.shape[1] != width:
        raise ValueError(f"{name} has {array.shape[1]} columns, but the network expects {width} inputs")
    if array.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    if not all_finite(array):
        raise ValueError(
            f"{name} contains NaN or infinity at {_first_nonfinite(array)}; clean or impute it first"
        )
    return array, single


def _rectangular(values, name: str) -> np.ndarray:
    """``np.asarray(values)``, with rows of different lengths named as such (NumPy's own
    message speaks of an "inhomogeneous shape")."""
    try:
        return np.asarray(values)
    except ValueError:
        lengths = [len(row) if hasattr(row, "__len__") else 1 for row in values]
        row = next((i for i, n in enumerate(lengths) if n != lengths[0]), None)
        if row is None:
            raise ValueError(f"{name} must be a rectangular table of numbers") from None
        counts = [f"{n} value" + ("" if n == 1 else "s") for n in (lengths[0], lengths[row])]
        raise ValueError(
            f"{name} has rows of different lengths (row 0 has {counts[0]}, row {row} has "
            f"{counts[1]}); every row needs one value per column"
        ) from None


def is_sparse(values) -> bool:
    """Whether ``values`` is a SciPy sparse matrix or array (SciPy is never imported here:
    nothing can be one unless the caller has imported ``scipy.sparse``)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(values)


def sparse_matrix(values, name: str, dtype: np.dtype, width: int | None = None):
    """A SciPy sparse matrix as CSR of ``dtype`` (rows slice cheaply; ``X @ W`` and
    ``X.T @ dL_dz`` stay sparse products), checked as ``as_matrix`` checks a dense one."""
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (samples × features), got a sparse array of shape {values.shape}"
        )
    if values.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must be numeric (real numbers), got sparse {values.dtype} values; convert it first"
        )
    matrix = values.tocsr().astype(dtype, copy=False)
    if width is not None and matrix.shape[1] != width:
        raise ValueError(f"{name} has {matrix.shape[1]} columns, but the network expects {width} inputs")
    if matrix.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    if not all_finite(matrix.data):
        position = int(np.flatnonzero(~np.isfinite(matrix.data))[0])
        row = int(np.searchsorted(matrix.indptr, position, side="right")) - 1
        raise ValueError(
            f"{name} contains NaN or infinity at row {row}, column {int(matrix.indices[position])}: "
            f"{float(matrix.data[position])}; clean or impute it first"
        )
    return matrix


def _all_real(array: np.ndarray) -> bool:
    """Whether an object array holds only real numbers (Python or NumPy, not bool-likes aside)."""
    return all(isinstance(v, (numbers.Real, np.floating, np.integer)) for v in array.ravel())


def as_targets(y, n_samples: int, n_outputs: int, dtype: np.dtype, one_hot: bool = False) -> np.ndarray:
    """Targets as ``(n_samples, n_outputs)``. A 1-D y is accepted for one output; with
    ``one_hot`` a 1-D array of integer class indices becomes one-hot rows."""
    array = y if isinstance(y, np.ndarray) else _rectangular(y, "y")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"y must be numeric: dtype {array.dtype}")
    if array.ndim == 0:
        array = array.reshape(1)
    one_row = array.ndim == 1 and n_samples == 1 and array.shape[0] == n_outputs
    if one_hot and array.ndim == 1 and n_outputs > 1 and not one_row and array.size != n_samples:
        raise ValueError(f"y has {array.size} class indices for {n_samples} samples; give one per sample")
    if one_hot and array.ndim == 1 and n_outputs > 1 and not one_row:
        labels = array
        if not np.all(np.equal(np.mod(labels, 1), 0)) or labels.min() < 0 or labels.max() >= n_outputs:
            raise ValueError(f"y as class indices must be integers in 0..{n_outputs - 1}")
        array = np.eye(n_outputs, dtype=dtype)[labels.astype(np.intp)]
    if array.ndim == 1:
        if n_outputs == 1:
            array = array[:, None]
        elif one_row:
            array = array[None, :]
    if array.shape != (n_samples, n_outputs):
        raise ValueError(
            f"y has shape {np.shape(y)}, but {n_samples} samples and {n_outputs} outputs need "
            f"({n_samples}, {n_outputs})"
            + (" or (n_samples,)" if n_outputs == 1 else "")
            + (
                f", or class indices as a 1-D array of shape ({n_samples},)"
                if one_hot and n_outputs > 1
                else ""
            )
        )
    array = array.astype(dtype, copy=False)
    if not all_finite(array):
        raise ValueError(f"y contains NaN or infinity at {_first_nonfinite(array)}")
    return array


def all_finite(array: np.ndarray, chunk_bytes: int = 1 << 22) -> bool:
    """True when every value is finite, checked a block of rows at a time so a large
    array needs no full-size temporary."""
    if array.nbytes <= chunk_bytes or array.ndim != 2:
        return bool(np.isfinite(array).all())
    rows = max(1, chunk_bytes // max(1, array.shape[1] * array.itemsize))
    return all(np.isfinite(array[start : start + rows]).all() for start in range(0, array.shape[0], rows))


def shown(value) -> str:
    """``repr(value)``, cut to 60 characters, for one-line error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def real_number(value, name: str) -> float:
    """``value`` as a float; a bool, a string or None is not a setting, so it raises
    ValueError naming ``name`` (``float(True)`` and ``float("0.1")`` would pass silently)."""
    # NumPy's scalars count (np.float32 is no numbers.Real); bool and np.bool_ do not.
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number, got {shown(value)}")
    return float(value)


def finite_number(value, name: str) -> float:
    """A finite number (a mean, a fill value)."""
    number = real_number(value, name)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {shown(value)}")
    return number


def positive_number(value, name: str) -> float:
    """A finite number > 0 (a learning rate, a clipping norm, an epsilon, a standard deviation)."""
    number = real_number(value, name)
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a finite number > 0, got {shown(value)}")
    return number


def non_negative_number(value, name: str) -> float:
    """A finite number >= 0 (a weight decay, a tolerance, a floor)."""
    number = real_number(value, name)
    if not (number >= 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a finite number >= 0, got {shown(value)}")
    return number


def fraction(value, name: str, low_open: bool = False, high_open: bool = True) -> float:
    """A number in [0, 1), or (0, 1), (0, 1], [0, 1] as ``low_open``/``high_open`` say."""
    number = real_number(value, name)
    above = number > 0 if low_open else number >= 0
    below = number < 1 if high_open else number <= 1
    if not (above and below):
        interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {shown(value)}")
    return number


def seed_value(seed, name: str = "seed"):
    """A random seed: None (fresh entropy), a whole number >= 0, or a NumPy Generator or
    RandomState that draws the numbers itself."""
    if seed is None or isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{name} must be None, a whole number >= 0 or a Generator, got {shown(seed)}")
    return int(seed)


def whole_number(value, name: str, minimum: int) -> int:
    """An integer >= ``minimum``; 2.5 or True is refused rather than truncated to 2 or 1."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {shown(value)}")
    return int(value)


def sample_weights(sample_weight, n: int) -> np.ndarray | None:
    """``sample_weight`` as ``(n,)`` float64, every weight finite and >= 0; None stays None."""
    if sample_weight is None:
        return None
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be numbers, one per sample") from None
    if weights.shape != (n,):
        raise ValueError(f"sample_weight has shape {weights.shape}, expected ({n},): one weight per sample")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("sample_weight must be finite and >= 0")
    if n and not weights.any():
        raise ValueError("sample_weight is 0 for every sample, so nothing would be learned; give some weight")
    return weights


def dropout_rates(dropout, n_hidden: int) -> list[float] | None:
    """One rate in [0, 1) per hidden layer (a single number applies to all); None when no
    layer drops anything."""
    if dropout is None:
        return None
    if isinstance(dropout, (str, bytes)):
        raise ValueError(f"dropout must be a rate in [0, 1) or one per hidden layer, got {shown(dropout)}")
    single = isinstance(dropout, (numbers.Real, np.floating, np.integer))
    rates = [dropout] * n_hidden if single else list(dropout)
    if len(rates) != n_hidden:
        raise ValueError(f"dropout has {len(rates)} rates for {n_hidden} hidden layers")
    rates = [fraction(rate, "dropout") for rate in rates]
    return rates if any(rates) else None
