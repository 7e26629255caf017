"""CHSS worked model: each published figure, the PSA invariants and the input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from worked_helpers import find_check, rep_fixture

from healthecon import cea
from healthecon.errors import ModelDefinitionError, ParameterError, ProvenanceError
from healthecon.worked.seeds import worked_inputs
from healthecon.worked import chss

rep = rep_fixture(chss)


def test_icer_13886(rep):
    assert find_check(rep, "ICER, CHSS").reproduced == pytest.approx(13886, abs=0.5)


def test_incremental_cost_575(rep):
    assert find_check(rep, "incremental cost").reproduced == pytest.approx(575, abs=0.5)


def test_incremental_life_years_004(rep):
    check = find_check(rep, "incremental life-years")
    assert check.reproduced == pytest.approx(0.04, abs=0.005)
    assert check.reproduced == pytest.approx(575 / 13886, rel=1e-12)


def test_rounded_life_years_would_not_reproduce_the_icer():
    assert chss.icer(575, 0.04) == 14375.0
    assert chss.icer(575, chss.implied_effect(575, 13886)) == pytest.approx(13886, abs=0.5)


def test_dawn_icer_2081(rep):
    assert find_check(rep, "ICER, DAWN").reproduced == pytest.approx(2081, abs=0.5)


def test_brighter_icer_14837(rep):
    assert find_check(rep, "ICER, BRIghTER").reproduced == pytest.approx(14837, abs=0.5)


def test_brighter_typo_is_explained_in_the_data_note():
    note = worked_inputs("chss").rows.loc["icer_brighter", "note"]
    assert "typo for BRIghTER" in note


def test_probability_cost_effective_above_80_percent(rep):
    check = find_check(rep, "P(cost-effective) at £20,000")
    assert check.comparison == ">" and check.reproduced > 0.80


def test_probabilities_reported_at_20000_and_30000(rep):
    table = rep.tables["p_cost_effective"]
    assert list(table.index) == [20000.0, 30000.0]
    assert table.loc[20000.0, "p_normal_exact"] == pytest.approx(0.8444, abs=1e-4)
    assert table.loc[30000.0, "p_normal_exact"] == pytest.approx(0.9767, abs=1e-4)
    assert np.allclose(table["p_psa"], table["p_normal_exact"], atol=0.02)


def test_default_draws_mirror_the_bootstrap(rep):
    assert "5,000 draws" in rep.checks[-1].note
    assert rep.tables["ceac"].index[0] == 0.0 and rep.tables["ceac"].shape[1] == 2


def test_same_seed_same_numbers():
    a, b = chss.reproduce(draws=500, seed=3), chss.reproduce(draws=500, seed=3)
    assert a.checks[-1].reproduced == b.checks[-1].reproduced
    assert a.tables["ceac"].equals(b.tables["ceac"])


@given(
    cost=st.floats(1, 5000), effect=st.floats(0.001, 1), se_c=st.floats(1, 2000), se_e=st.floats(0.001, 0.5),
    factor=st.floats(1.01, 5),
)
def test_ceac_is_one_half_at_the_icer_and_rises_with_the_threshold(cost, effect, se_c, se_e, factor):
    ratio = cost / effect
    p = chss.p_cost_effective(cost, effect, se_c, se_e, [ratio / factor, ratio, ratio * factor])
    assert p[1] == pytest.approx(0.5, abs=1e-9)
    assert p[0] < p[1] < p[2]


def test_psa_ceac_at_the_icer_is_one_half_with_uncorrelated_normal_increments():
    params = chss.parameters(575, 0, 575 / 13886, 150, 0.01)
    out = chss.IncrementModel().run(params.sample(20000, seed=11))
    p = float(cea.ceac(out, 13886).sel(strategy="CHSS").squeeze())
    assert p == pytest.approx(0.5, abs=0.015)


def test_zero_variance_psa_reproduces_the_deterministic_figure_exactly():
    params = chss.parameters(775, -200, 575 / 13886, 0, 0)
    model = chss.IncrementModel()
    base = model.run(params.base_case())
    psa = model.run(params.sample(200, seed=1))
    for name in ("cost", "ly"):
        assert (psa[name].values == base[name].values).all()  # every draw is the base case, bit for bit
    assert cea.icer_table(base)["icer"].iloc[1] == 575 / (575 / 13886)
    assert cea.icer_table(psa)["icer"].iloc[1] == pytest.approx(13886, rel=1e-12)  # a mean of identical draws


@settings(max_examples=25)  # each example builds and runs a model; keep the test under a second or two
@given(hospital=st.floats(-2000, 2000))
def test_any_cost_split_with_the_same_total_leaves_the_headline_unchanged(hospital):
    model = chss.IncrementModel()
    params = chss.parameters(575 - hospital, hospital, 575 / 13886, 150, 0.01)
    table = cea.icer_table(model.run(params.base_case()))
    assert table["icer"].iloc[1] == pytest.approx(13886, abs=1e-6)
    psa = model.run(params.sample(400, seed=5))
    reference = model.run(chss.parameters(775, -200, 575 / 13886, 150, 0.01).sample(400, seed=5))
    np.testing.assert_allclose(psa["cost"].values, reference["cost"].values, rtol=1e-12, atol=1e-9)


def test_correlation_is_applied():
    draws = chss.parameters(575, 0, 0.04, 150, 0.01, rho=0.6).sample(4000, seed=2)
    assert np.corrcoef(draws["inc_cost_community"], draws["inc_ly"])[0, 1] == pytest.approx(0.6, abs=0.05)


def test_calibration_bound_matches_the_reference_note():
    assert chss.max_sd_net_benefit(575, 575 / 13886, 20000, 0.8) == pytest.approx(300.8, abs=0.05)


def test_bad_inputs_raise_naming_what_is_wrong():
    with pytest.raises(ParameterError, match="incremental effect: is 0"):
        chss.icer(575, 0)
    with pytest.raises(ParameterError, match="rho: is 0.5 but a standard error is 0"):
        chss.parameters(575, 0, 0.04, 0, 0.01, rho=0.5)
    with pytest.raises(ParameterError, match="correlation rho"):
        chss.p_cost_effective(575, 0.04, 150, 0.01, 20000, rho=1.5)
    with pytest.raises(ModelDefinitionError, match=r"missing parameter\(s\) \['inc_ly'\]"):
        chss.IncrementModel().run(chss.parameters(575, 0, 0.04, 1, 1).base_case().drop_vars("inc_ly"))


def test_a_derived_row_that_disagrees_with_its_arithmetic_is_caught(monkeypatch):
    real = chss.worked_inputs

    def tampered(name):
        inputs = real(name)
        rows = inputs.rows.reset_index()
        rows.loc[rows["name"] == "inc_ly", "value"] = 0.04
        return type(inputs)(rows.astype(str), inputs.file, inputs.quote_check)

    monkeypatch.setattr(chss, "worked_inputs", tampered)
    with pytest.raises(ProvenanceError, match="row .inc_ly.: derived value 0.04 does not match"):
        chss.reproduce(draws=10)


def test_one_way_table_varies_both_increments_around_the_base_net_benefit(rep):
    table = rep.tables["one_way"]
    assert set(table.index) == {"inc_cost_community", "inc_ly"}
    assert table["outcome_base"].iloc[0] == pytest.approx(20000 * 575 / 13886 - 575)
    assert table.loc["inc_ly", "optimal_low"] == "usual care" and table.loc["inc_ly", "optimal_high"] == "CHSS"


def test_charts_plot_the_psa(rep):
    ax = rep.charts["ce_plane"]()
    cloud = [c for c in ax.collections if c.get_label() == "CHSS"][0]
    assert cloud.get_offsets().shape == (5000, 2)
    assert np.asarray(cloud.get_offsets())[:, 1].mean() == pytest.approx(575, abs=10)
    ax = rep.charts["ceac"]()
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "CHSS"]
    x, y = line.get_data()
    assert y[np.searchsorted(x, 20000)] == pytest.approx(rep.tables["p_cost_effective"].loc[20000.0, "p_psa"])


def test_tornado_draws_the_one_way_table(rep):
    ax = rep.charts["tornado"]()
    low_bars = ax.containers[0]
    assert len(low_bars) == 2


def test_probabilities_sit_beside_the_figures_at_both_thresholds(rep):
    p = rep.tables["p_cost_effective"]["p_psa"]
    icer = find_check(rep, "ICER, CHSS")
    assert icer.probability_label == "P(cost-effective at £20,000)" and icer.probability == p[20000.0]
    low, high = icer.interval
    assert low < 13886 < high  # PSA percentile interval of the ICER
    pce = find_check(rep, "P(cost-effective) at £20,000")
    assert pce.probability_label == "P(cost-effective at £30,000)" and pce.probability == p[30000.0]
    low, high = pce.interval  # Monte Carlo interval of the PSA proportion
    assert 0.80 < low < pce.reproduced < high < 0.87
    assert not any("P(cost-effective):" in note for note in rep.notes)


def test_study_design_shows_443_matched_residents_and_5000_bootstrap_replicates(rep):
    design = rep.tables["study_design"]["value"]
    assert design["CHSS residents matched 1:1 to controls"] == 443
    assert design["bootstrap replicates (study)"] == 5000 == worked_inputs("chss")["n_bootstrap"]
    text = " ".join(rep.notes)
    assert "443 residents matched" in text and "5,000 bootstrap replicates" in text
    assert "a typo" in text and "BRIghTER" in text
