"""dampack's ICER table for eleven C. difficile treatment strategies (Rajasingham et al. 2020).

Source: Rajasingham R, Enns EA, Khoruts A, Vaughn BP. Cost-effectiveness of treatment regimens
for Clostridioides difficile infection: an evaluation of the 2018 Infectious Diseases Society of
America guidelines. Clin Infect Dis 2020;70:754-762; the mean costs and QALYs of its PSA for the
11 most relevant strategies and the ICER table dampack's calculate_icers() prints for them
(DARTH-git/dampack, vignettes/basic_cea.Rmd, example 2, and vignettes/cdiff_icers.csv).

Printed: frontier s3 -> s27 ($2,769.85/QALY) -> s33 ($4,065.03) -> s31 ($5,056.22) -> s43
($8,504.22) -> s44 ($38,362.65); s39 extendedly dominated; s4, s13, s37, s20 dominated.

Convention: dampack's calculate_icers (strong dominance, then extended dominance, ICERs between
consecutive frontier strategies); healthecon's icer_table follows the same definitions.
"""

import io

import pandas as pd
import pytest

import healthecon as he

PRINTED = """Strategy,Cost,Effect,Inc_Cost,Inc_Effect,ICER,Status
s3,57336.0059896538,12.9399639202408,NA,NA,NA,ND
s27,57541.2526373815,13.0140640696275,205.246647727639,0.0741001493866911,2769.85470915263,ND
s33,57642.2587507842,13.0389116321918,101.006113402713,0.0248475625643216,4065.03105249231,ND
s31,57934.0743411241,13.0966257932217,291.815590339931,0.0577141610298533,5056.2216470406,ND
s43,58072.1137208494,13.11285766912,138.039379725262,0.0162318758983169,8504.2160616553,ND
s44,58665.7823044647,13.1283328397025,593.668583615326,0.0154751705825014,38362.6519947134,ND
s39,57814.6470919581,13.0462790163185,NA,NA,NA,ED
s4,57887.481549326,12.9970657153765,NA,NA,NA,D
s13,58018.6252420203,13.0650412387992,NA,NA,NA,D
s37,58081.7947984323,13.1029711156978,NA,NA,NA,D
s20,58634.2026441398,13.1100568867995,NA,NA,NA,D
"""


@pytest.fixture(scope="module")
def tables():
    printed = pd.read_csv(io.StringIO(PRINTED)).set_index("Strategy")
    outcomes = he.outcomes.make_outcomes({"cost": [printed["Cost"].tolist()], "qaly": [printed["Effect"].tolist()]},
                                         list(printed.index), effect="qaly")
    return printed, he.cea.icer_table(outcomes).set_index("strategy")


def test_statuses_as_printed(tables):
    printed, ours = tables
    assert ours["status"].to_dict() == printed["Status"].to_dict()


def test_frontier_icers_and_increments_as_printed(tables):
    printed, ours = tables
    frontier = printed[printed["Status"] == "ND"].index[1:]
    # printed to 10+ significant digits: compared to 1e-9 relative
    assert ours.loc[frontier, "icer"].tolist() == pytest.approx(printed.loc[frontier, "ICER"].tolist(), rel=1e-9)
    order = list(printed[printed["Status"] == "ND"].index)
    inc_cost = [ours.loc[b, "cost"] - ours.loc[a, "cost"] for a, b in zip(order, order[1:])]
    assert inc_cost == pytest.approx(printed.loc[frontier, "Inc_Cost"].tolist(), rel=1e-9)


def test_rows_in_dampacks_printed_order():
    # built in reverse order, so the printed order cannot come from the input order
    printed = pd.read_csv(io.StringIO(PRINTED)).iloc[::-1]
    outcomes = he.outcomes.make_outcomes({"cost": [printed["Cost"].tolist()], "qaly": [printed["Effect"].tolist()]},
                                         list(printed["Strategy"]), effect="qaly")
    assert he.cea.icer_table(outcomes, order="dampack")["strategy"].tolist() == list(printed["Strategy"][::-1])
