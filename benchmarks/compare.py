"""chainrule against PyTorch, JAX and scikit-learn on the same networks, data and weights.

See benchmarks/README.md for the scenarios,
the method and the recorded results.

    python benchmarks/compare.py [--scenarios R1,R2,R3] [--repeats 3] [--quick] [--json out.json]
"""

import sys

from bench import main

if __name__ == "__main__":
    sys.exit(main())
