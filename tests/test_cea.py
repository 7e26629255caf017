"""Tests for healthecon.cea: net benefit, incremental analysis, CEAC/CEAF, expected loss."""

import numpy as np
import pandas as pd
import pytest

from healthecon import cea
from healthecon.errors import AnalysisError, UnknownNameError
from healthecon.outcomes import from_dataframe, make_outcomes


def _outcomes(cost, effect, names=None):
    cost = np.atleast_2d(np.asarray(cost, dtype=float))
    effect = np.atleast_2d(np.asarray(effect, dtype=float))
    names = names or [f"S{i}" for i in range(cost.shape[1])]
    return make_outcomes({"cost": cost, "qaly": effect}, strategies=names, effect="qaly")


# --- net benefit -------------------------------------------------------------------------


def test_net_benefit_hand_worked_monetary_and_health():
    out = _outcomes([[100.0, 300.0], [200.0, 500.0]], [[1.0, 1.2], [0.5, 0.9]], ["A", "B"])
    nmb = cea.net_benefit(out, [0.0, 20_000.0])
    assert nmb.dims == ("sample", "strategy", "wtp")
    assert nmb.sel(sample=1, strategy="B", wtp=20_000.0) == pytest.approx(0.9 * 20_000 - 500)
    assert nmb.sel(sample=0, strategy="A", wtp=0.0) == pytest.approx(-100.0)
    nhb = cea.net_benefit(out, 20_000.0, kind="health")
    assert nhb.sizes["wtp"] == 1
    assert nhb.sel(sample=0, strategy="B").item() == pytest.approx(1.2 - 300 / 20_000)
    assert nhb.attrs["units"] == "QALY" and nmb.attrs["units"] == "£"


def test_net_benefit_from_dataframe_matches_make_outcomes():
    frame = pd.DataFrame({"sample": [0, 0, 1, 1], "strategy": ["A", "B", "A", "B"],
                          "cost": [1.0, 2.0, 1.5, 2.5], "qaly": [1.0, 1.2, 0.9, 1.1]})
    imported = cea.net_benefit(from_dataframe(frame, effect="qaly"), [10.0, 50.0])
    direct = cea.net_benefit(_outcomes([[1.0, 2.0], [1.5, 2.5]], [[1.0, 1.2], [0.9, 1.1]], ["A", "B"]), [10.0, 50.0])
    np.testing.assert_array_equal(imported.values, direct.values)


def test_net_benefit_other_variables_and_bad_input():
    out = make_outcomes({"cost": [[1.0, 2.0]], "cost_drug": [[0.5, 1.0]], "qaly": [[1.0, 2.0]], "ly": [[3.0, 4.0]]},
                        strategies=["A", "B"], effect="qaly")
    nmb = cea.net_benefit(out, 10.0, cost="cost_drug", effect="ly")
    np.testing.assert_allclose(nmb.sel(wtp=10.0, sample=0).values, [29.5, 39.0])
    with pytest.raises(AnalysisError, match="kind"):
        cea.net_benefit(out, 10.0, kind="money")
    with pytest.raises(AnalysisError, match="wtp"):
        cea.net_benefit(out, [-1.0, 10.0])
    with pytest.raises(AnalysisError, match="wtp"):
        cea.net_benefit(out, [np.nan])
    with pytest.raises(AnalysisError, match="> 0"):
        cea.net_benefit(out, 0.0, kind="health")
    with pytest.raises(UnknownNameError, match="'qualy'"):
        cea.net_benefit(out, 10.0, effect="qualy")
