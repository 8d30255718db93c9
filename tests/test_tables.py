"""Tidy tables: long OD format, CSVs without inf or 3.0, per-segment prices equal to the routing engine's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridors import load_network, network_as_of, route
from corridors.od import od_matrix
from corridors.tables import od_long, segment_prices, tidy, write_csv


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return network_as_of(load_network(), date(2026, 11, 28))


def test_od_long_follows_the_terminal_order_and_blanks_unreachable(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    terminals = ["Sarakhs", "Mashhad", "Kashgar"]
    m = od_matrix(net, terminals, terminals)
    long = od_long(m)
    assert list(long.columns) == ["origin", "destination", "value"]
    assert list(long["origin"]) == [o for o in m.index for _ in m.columns]
    assert list(long["destination"]) == list(m.columns) * len(m.index)
    for rec in long.to_dict("records"):
        v = m.loc[rec["origin"], rec["destination"]]
        assert (np.isnan(rec["value"]) and np.isinf(v)) or rec["value"] == v
    assert long.attrs["unit"] == "km"
    text = write_csv(long, tmp_path / "od.csv").read_text(encoding="utf-8")
    assert "inf" not in text and "nan" not in text.lower()
    if np.isinf(m.to_numpy()).any():
        assert ",\n" in text  # unreachable pairs are blank


def test_tidy_writes_integers_as_integers(tmp_path: Path) -> None:
    df = pd.DataFrame({"n": [3, None], "km": [1200.0, 80.5], "ok": [True, False], "x": [float("inf"), 1.0]})
    text = write_csv(df, tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text.splitlines() == ["n,km,ok,x", "3,1200.0,True,", ",80.5,False,1"]
    assert tidy(df)["n"].dtype == "Int64"


def test_segment_prices_equal_the_router(net) -> None:  # type: ignore[no-untyped-def]
    prices = segment_prices(net)
    r = route(net, "Mashhad", "Sarakhs", by="time")
    for leg in r.legs:
        seg = net.segments.set_index("id").loc[leg.segment]
        if leg.from_station == seg["from"]:
            assert prices.loc[leg.segment, "km"] == pytest.approx(leg.km)
    assert prices.loc[[leg.segment for leg in r.legs], "hours"].sum() == pytest.approx(
        r.hours - sum(g.time_h for g in r.gauge_changes)
    )
