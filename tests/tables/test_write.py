"""Predictions CSV: probabilities exactly as '%.6g' writes them, quotes only when needed."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from chainrule.tables.write import csv_bytes, six_digits

pytest.importorskip("pyarrow")


def test_six_digits_equals_percent_g_on_every_exponent_and_at_the_halves(rng):
    spread = 10.0 ** rng.uniform(-320, 8, 50_000) * rng.choice([-1, 1], 50_000)
    halves = (np.arange(100_000, 101_000) + 0.5) * 10.0 ** rng.integers(-12, 0, 1000)
    edges = np.array(
        [0.0, -0.0, 1.0, 0.5, 1e-4, 9.999995e-5, 0.9999995, 0.99999949999, 1e-5, 123456.5, 999999.4,
         999999.6, 1e6, 5e-324, 1e-300, np.nan, np.inf, -np.inf, 1 / 3, 2 / 3, 3.25e-9, 0.000123456]
    )  # fmt: skip
    values = np.concatenate([rng.random(50_000), rng.random(20_000) ** 12, spread, halves, edges])
    with np.errstate(all="ignore"):
        expected = [f"{v:.6g}" for v in values]
    np.testing.assert_array_equal(np.array(six_digits(values).to_pylist()), np.array(expected))


def test_csv_bytes_quotes_only_when_a_value_needs_it():
    plain = csv_bytes({"label": np.array(["yes", "no"]), "p": six_digits(np.array([0.25, 1e-7]))})
    assert plain == b"label,p\nyes,0.25\nno,1e-07\n"
    quoted = csv_bytes({"label": np.array(["a,b", 'say "x"'])})
    assert list(csv.reader(io.StringIO(quoted.decode()))) == [["label"], ["a,b"], ['say "x"']]
