"""Differences between the dependency versions healthecon supports (see ci/constraints-lowest.txt).

``EXACT_FLOAT_CSV`` holds the :func:`pandas.read_csv` options that read floats back bit for bit:
pandas before 3.0 parses with a fast converter that can be one unit in the last place off
(63.666666666666664 read back as 63.66666666666666) unless asked for ``float_precision="round_trip"``;
pandas 3.0 reads exactly by default and deprecates the option.

Examples
--------
>>> import io, pandas as pd
>>> float(pd.read_csv(io.StringIO("x\\n63.666666666666664"), **EXACT_FLOAT_CSV)["x"][0]) == 63.666666666666664
True
"""

from __future__ import annotations

import pandas as pd

__all__ = ["EXACT_FLOAT_CSV"]

EXACT_FLOAT_CSV: dict[str, str] = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
