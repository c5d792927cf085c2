"""Two versions of chainrule on the same scenarios, interleaved, medians of N runs.

    python benchmarks/versions.py OLD_CHECKOUT NEW_CHECKOUT [--runs 5] [--scenarios R1,R2,R3]

Each checkout is a folder holding ``src/chainrule`` (e.g. a ``git worktree`` of an older
commit). Every run is one process of compare.py's worker (``bench.py --worker chainrule``,
or ``python -m chainrule.bench`` for checkouts from before the harness moved to
benchmarks/), old and new in turn, so drifts in the machine's speed hit both alike. Both
must reach the same final loss, or the comparison is void.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _command(checkout: Path) -> list[str]:
    harness = checkout / "benchmarks" / "bench.py"
    if harness.exists():
        return [sys.executable, str(harness)]
    return [sys.executable, "-m", "chainrule.bench"]  # before the harness moved out of the package


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenarios", default="R1,R2,R3")
    args = parser.parse_args(argv)
    versions = {"old": args.old.resolve(), "new": args.new.resolve()}
    times: dict[tuple[str, str], list[float]] = {}
    for scenario in args.scenarios.split(","):
        losses = set()
        for _ in range(args.runs):
            for name, checkout in versions.items():
                env = dict(os.environ, PYTHONPATH=str(checkout / "src"), PYTHONWARNINGS="ignore")
                done = subprocess.run(
                    [*_command(checkout), "--worker", "chainrule", scenario],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=HERE,
                    check=True,
                )
                result = json.loads(done.stdout)
                times.setdefault((name, scenario), []).append(result["seconds"])
                losses.add(round(result["final_loss"], 12))
        old, new = (statistics.median(times[(name, scenario)]) for name in versions)
        same = "same final loss" if len(losses) == 1 else f"DIFFERENT final losses {sorted(losses)}"
        print(f"{scenario}: old {old:.4f} s, new {new:.4f} s, new/old {new / old:.3f} ({same})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
