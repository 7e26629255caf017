"""Money models shared by the CBA, appraisal and money-plot tests (a five-year scheme; draws by hand)."""

import numpy as np
import xarray as xr

from healthecon.cba import CBAModel, benefit_flow, cost_flow


def five_years(**kwargs):
    """A council scheme over years 0-4: set-up and running costs; NHS, council and police benefits."""
    flows = [
        cost_flow("set-up", "council", [50_000.0]),
        cost_flow("running", "council", [20_000.0] * 4, years=[1, 2, 3, 4]),
        benefit_flow("bed days avoided", "NHS", [0.0, 300.0, 300.0, 300.0, 300.0], quantity=100,
                     category="fiscal_non_cashable"),
        benefit_flow("care packages avoided", "council", [10_000.0] * 4, years=[1, 2, 3, 4], category="fiscal_cashable"),
        benefit_flow("police call-outs", "police", [5_000.0] * 3, years=[2, 3, 4], category="economic"),
    ]
    return CBAModel(flows, name="scheme", **kwargs)


def draws_of(n, **columns):
    """A draws Dataset of ``n`` samples with the given columns."""
    return xr.Dataset({k: ("sample", np.asarray(v, dtype=float)) for k, v in columns.items()},
                      coords={"sample": np.arange(n)})
