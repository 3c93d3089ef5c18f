"""The Potts-Guy reference equation."""

import pandas as pd
import pytest

from actives.predict.baselines import potts_guy_logkp, potts_guy_metrics


def test_potts_guy_value_for_caffeine() -> None:
    # cLogP -1.029, MW 194.194: -2.7 - 0.7306 - 1.1846 = -4.615 cm/h = -8.171 cm/s
    assert potts_guy_logkp("Cn1c(=O)c2c(ncn2C)n(C)c1=O") == pytest.approx(-8.171, abs=1e-3)


def test_potts_guy_metrics_have_no_interval() -> None:
    data = pd.DataFrame({"smiles": ["CCO", "CCCCO", "c1ccccc1O", "CC(=O)Oc1ccccc1C(=O)O"],
                         "value": [-6.5, -5.9, -5.5, -7.0], "relation": "="})  # fmt: skip
    metrics = potts_guy_metrics(data)
    assert metrics.n == 4 and metrics.rmse is not None and metrics.coverage is None
