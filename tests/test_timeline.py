"""Timelines, earliest connections and scenario diffs on a network with hand-known dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import COUNTRIES, segment, station, write_network
from corridors import load_network, load_parameters
from corridors.charts import plot_timeline
from corridors.scenario import OD, load_scenario
from corridors.state import network_state
from corridors.timeline import earliest_connection, event_dates, first_connections, scenario_diff, timeline


@pytest.fixture
def net(tmp_path: Path):  # type: ignore[no-untyped-def]
    r"""
    a --(ab, 2001)-- b --(bc, 2010-06)-- c --(cd, planned 2030)-- d      e (isolated, proposed e-d)
     \_________________(ac, 2015, shorter)_______________/
    """
    path = write_network(
        tmp_path / "n",
        [station("a", 0, 0), station("b", 1, 0.5), station("c", 2, 0), station("d", 3, 0), station("e", 4, 0, "CCC")],
        [
            segment("ab", [(0, 0), (1, 0.5)], "a", "b", opened="2001"),
            segment("bc", [(1, 0.5), (2, 0)], "b", "c", opened="2010-06"),
            segment("ac", [(0, 0), (2, 0)], "a", "c", opened="2015"),
            segment("cd", [(2, 0), (3, 0)], "c", "d", status="planned", opened=None, expected_opening="2030"),
            segment("de", [(3, 0), (4, 0)], "d", "e", status="proposed", opened=None),
        ],
    )
    return load_network(path, countries=COUNTRIES)


def test_event_dates(net) -> None:  # type: ignore[no-untyped-def]
    assert event_dates(net, date(2000, 1, 1), date(2020, 1, 1)) == [
        date(2000, 1, 1),
        date(2001, 1, 1),
        date(2010, 6, 1),
        date(2015, 1, 1),
    ]
    assert date(2030, 1, 1) in event_dates(net, date(2000, 1, 1), date(2031, 1, 1), expected=True)


def test_pair_connected_only_from_its_last_segment(net, params_path: Path) -> None:  # type: ignore[no-untyped-def]
    params = load_parameters(params_path)
    t = timeline(
        network_state(net, params=params), [OD("a", "c", "A–C")], date(2000, 1, 1), date(2020, 1, 1), by="distance"
    )
    assert t["date"].tolist() == [date(2000, 1, 1), date(2010, 6, 1), date(2015, 1, 1)]
    assert t["connected"].tolist() == [False, True, True]
    assert t["segments"].tolist() == ["", "ab;bc", "ac"]
    assert t["km"].iloc[2] < t["km"].iloc[1]  # the 2015 direct line is shorter
    assert first_connections(t).loc["A–C", "first_connected"] == date(2010, 6, 1)
    _, ax = plot_timeline(t, metric="km")
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["A–C"]


def test_earliest_connection(net, params_path: Path) -> None:  # type: ignore[no-untyped-def]
    params = load_parameters(params_path)
    state = network_state(net, as_of=date(2020, 1, 1), params=params)
    c = earliest_connection(state, "a", "d")
    assert not c.connected and c.expected_date == date(2030, 1, 1)
    assert c.needed == (("cd", "planned", "2030"),)
    undated = earliest_connection(state, "a", "e")
    assert undated.expected_date is None and set(undated.undated) == {"cd", "de"}
    assert "no announced opening date" in undated.summary()
    assert earliest_connection(state, "a", "c").connected


def test_scenario_diff_outcomes(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.toml").write_text(
        'name = "2012"\nas_of = 2012-01-01\n[[od]]\nfrom = "a"\nto = "c"\n[[od]]\nfrom = "a"\nto = "d"\n'
    )
    (tmp_path / "b.toml").write_text(
        'name = "2031"\nas_of = 2031-01-01\nexpected = true\n'
        '[[od]]\nfrom = "a"\nto = "c"\n[[od]]\nfrom = "a"\nto = "d"\n'
        '[[od]]\nfrom = "a"\nto = "e"\n'
    )
    a, b = (load_scenario(tmp_path / f, net) for f in ("a.toml", "b.toml"))
    d = scenario_diff(net, a, b, by="distance").set_index("pair")
    assert d.loc["A → C", "outcome"] == "improved" and d.loc["A → C", "change"] < 0
    assert d.loc["A → D", "outcome"] == "gained"
    assert d.loc["A → E", "outcome"] == "unconnected"
