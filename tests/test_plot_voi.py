"""VOI plots draw exactly the analysed numbers, labelled with units."""

import numpy as np
import pytest
import xarray as xr
from matplotlib.container import BarContainer

from healthecon.errors import AnalysisError
from healthecon.outcomes import make_outcomes
from healthecon.plot.voi import plot_evpi, plot_evppi
from healthecon.voi import evpi, evppi, evppi_ranking, population_evpi


@pytest.fixture(scope="module")
def psa():
    rng = np.random.default_rng(2)
    n = 400
    p, c, z = rng.beta(20, 80, n), rng.normal(500, 100, n), rng.normal(0, 1, n)
    out = make_outcomes({"cost": np.column_stack([np.full(n, 1000.0), 1000 + c]),
                         "qaly": np.column_stack([np.full(n, 0.7), 0.68 + 0.2 * p + 0.01 * rng.normal(0, 1, n)])},
                        ["usual", "new"], effect="qaly", currency="€")
    return out, xr.Dataset({"p": ("sample", p), "c": ("sample", c), "z": ("sample", z)})


def test_plot_evpi_line_is_the_evpi(psa):
    out, _ = psa
    grid = np.linspace(0, 60000, 13)
    values = evpi(out, grid)
    ax = plot_evpi(values)
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), grid)
    np.testing.assert_array_equal(line.get_ydata(), values.values)
    assert ax.get_ylabel() == "EVPI per person (€)"
    assert ax.get_xlabel() == "Willingness to pay (€ per QALY)"


def test_plot_population_evpi_label(psa):
    out, _ = psa
    population = population_evpi(evpi(out, [10000, 30000]), 1000, 5)
    ax = plot_evpi(population)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), population.values)
    assert ax.get_ylabel() == "Population EVPI over 5 years (€)"


def test_plot_evpi_of_an_evppi_result_draws_both_and_the_band(psa):
    out, draws = psa
    result = evppi(out, draws, "p", [10000, 30000, 50000], se_draws=50)
    ax = plot_evpi(result)
    evpi_line, evppi_line = ax.get_lines()
    np.testing.assert_array_equal(evpi_line.get_ydata(), result["evpi"].values)
    np.testing.assert_array_equal(evppi_line.get_ydata(), result["evppi"].values)
    band = ax.collections[0].get_paths()[0].vertices
    upper = result["evppi"].values + 1.959963984540054 * result["se"].values
    assert band[:, 1].max() == pytest.approx(upper.max())
    assert evppi_line.get_label() == "EVPPI: p"


def test_plot_evppi_bars_are_the_ranking(psa):
    out, draws = psa
    table = evppi_ranking(out, draws, 30000, se_draws=30)
    ax = plot_evppi(table)
    bars = next(c for c in ax.containers if isinstance(c, BarContainer))
    widths = [bar.get_width() for bar in bars]
    np.testing.assert_allclose(widths, table["evppi"].values)
    ys = [bar.get_y() + bar.get_height() / 2 for bar in bars]
    assert ys == sorted(ys, reverse=True)  # largest at the top
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda t: -t[0])  # top to bottom
    assert [label.get_text() for _, label in ticks] == list(table.index)
    evpi_line = [line for line in ax.get_lines() if line.get_label().startswith("EVPI")][0]
    assert evpi_line.get_xdata()[0] == pytest.approx(table.attrs["evpi"])
    assert "€30,000 per QALY" in ax.get_xlabel()
    segments = bars.errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([s[1, 0] - s[0, 0] for s in segments], 2 * 1.959963984540054 * table["se"].values)
    top = plot_evppi(table, top=2)
    assert len(next(c for c in top.containers if isinstance(c, BarContainer))) == 2


def test_plot_errors(psa):
    out, _ = psa
    with pytest.raises(AnalysisError, match="expected a DataArray over 'wtp'"):
        plot_evpi(out["cost"])
    with pytest.raises(AnalysisError, match="column 'evppi'"):
        plot_evppi(out["cost"].to_dataframe())
