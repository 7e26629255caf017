"""Configuration for every test, including the doctests in healthecon/: a headless
plotting backend, and every figure a test opened closed after it, so figures neither leak
between tests nor grow memory across the suite."""

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
