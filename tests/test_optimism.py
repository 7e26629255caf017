"""The optimism-bias table against Mott MacDonald (2002), Table 2 (HM Treasury supplementary
Green Book guidance on optimism bias, Table 1)."""

import pytest

from healthecon import optimism
from healthecon.errors import ParameterError, UnknownNameError

# (duration upper, duration lower, capex upper, capex lower), percent, as printed
PUBLISHED = {
    "non_standard_buildings": (39, 2, 51, 4),
    "standard_buildings": (4, 1, 24, 2),
    "non_standard_civil_engineering": (25, 3, 66, 6),
    "standard_civil_engineering": (20, 1, 44, 3),
    "equipment_development": (54, 10, 200, 10),
}


@pytest.mark.parametrize("kind, row", PUBLISHED.items())
def test_published_bounds(kind, row):
    du, dl, cu, cl = (v / 100 for v in row)
    assert optimism.uplift(kind, "upper", "duration") == pytest.approx(du)
    assert optimism.uplift(kind, "lower", "duration") == pytest.approx(dl)
    assert optimism.uplift(kind, "upper") == pytest.approx(cu)
    assert optimism.uplift(kind, "lower") == pytest.approx(cl)


def test_outsourcing_is_opex_and_has_no_duration_figure():
    assert optimism.uplift("outsourcing") == pytest.approx(0.41)
    assert optimism.uplift("outsourcing", "lower") == 0.0
    assert optimism.OPTIMISM_BIAS["outsourcing"].measure == "operating expenditure"
    with pytest.raises(ParameterError, match="outsourcing"):
        optimism.uplift("outsourcing", measure="duration")


def test_every_row_carries_provenance():
    frame = optimism.table()
    assert set(frame.index) == set(PUBLISHED) | {"outsourcing"}
    assert (frame["kind"] == "published").all()
    assert frame["source"].str.contains("Mott MacDonald").all()
    for kind, row in PUBLISHED.items():
        assert frame.loc[kind, "quote"].endswith(" | ".join(str(v) for v in row))


def test_apply_uplift_and_errors():
    assert optimism.apply_uplift(100.0, "standard_buildings") == pytest.approx(124.0)
    assert optimism.apply_uplift(100.0, 0.1) == pytest.approx(110.0)
    with pytest.raises(UnknownNameError, match="standard_bilding"):
        optimism.uplift("standard_bilding")
    with pytest.raises(ParameterError, match="bound"):
        optimism.uplift("standard_buildings", bound="middle")
    with pytest.raises(ParameterError, match="uplift"):
        optimism.apply_uplift(100.0, -0.1)


def test_an_uplift_typed_as_a_percentage_raises():
    # 41 meant 41%: costs were multiplied by 42
    with pytest.raises(ParameterError, match=r"an uplift of 41 is 4,100%; give a fraction \(0.41 for 41%\)"):
        optimism.apply_uplift(100.0, 41)
    assert optimism.apply_uplift(100.0, 2.0) == pytest.approx(300.0)  # 200%, the Green Book's largest, is allowed
