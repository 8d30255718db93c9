"""Scenario files: loading, every error path, inheritance, applying without touching the base."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import COUNTRIES, segment, station, write_network
from corridors import load_network
from corridors.scenario import (
    ScenarioError,
    apply_scenario,
    load_scenario,
    scenario_parameters,
    shipped_scenarios,
)
from corridors.state import network_state


@pytest.fixture
def net(tmp_path: Path):  # type: ignore[no-untyped-def]
    r"""
    a --(ab, 1520, 2000)-- b --(bc, 1435, planned 2027)-- c (BBB)
    """
    path = write_network(
        tmp_path / "n",
        [station("a", 0, 0, name="Alpha"), station("b", 1, 0, name="Beta"), station("c", 3, 0, "BBB", name="Gamma")],
        [
            segment("ab", [(0, 0), (1, 0)], "a", "b", corridors=["east"]),
            segment(
                "bc",
                [(1, 0), (3, 0)],
                "b",
                "c",
                gauge="1435",
                status="planned",
                opened=None,
                expected_opening="2027",
                corridors=["east"],
            ),
        ],
    )
    return load_network(path, countries=COUNTRIES)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_load_apply_and_route(net, tmp_path: Path, params_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = write(
        tmp_path,
        "s.toml",
        """
name = "open bc"
as_of = 2030-01-01
[[segment]]
id = "bc"
status = "operational"
[[station]]
id = "Beta"
gauge_change = ["transloading"]
assumption = "assumed"
[[od]]
from = "alpha"
to = "Gamma"
""",
    )
    s = load_scenario(p, net)
    assert s.as_of == date(2030, 1, 1)
    assert s.od[0].origin == "a" and s.od[0].label == "Alpha → Gamma"
    before = net.segments.copy()
    changed = apply_scenario(net, s)
    seg = changed.segments.set_index("id")
    assert seg.loc["bc", "status"] == "operational" and seg.loc["bc", "opened"] == "2027"  # from expected_opening
    assert net.segments.equals(before)  # the base network is untouched
    r = network_state(net, scenario=s, params_path=params_path).route("a", "c")
    assert [g.station for g in r.gauge_changes] == ["b"]
    assert "station b: assumed" in s.assumptions()


def test_inheritance_accumulates_changes_and_child_wins(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(
        tmp_path,
        "parent.toml",
        """
name = "parent"
as_of = 2020-01-01
closed_borders = [["AAA", "BBB"]]
[[segment]]
corridor = "east"
status = "operational"
[parameters.border.default]
dwell_h = 99.0
fee_usd = 1.0
assumption = true
""",
    )
    child = write(
        tmp_path,
        "child.toml",
        """
name = "child"
extends = "parent.toml"
as_of = 2031-01-01
[[segment]]
id = "ab"
closed = "2030"
status = "closed"
""",
    )
    s = load_scenario(child, net)
    assert s.name == "child" and s.as_of == date(2031, 1, 1)
    assert len(s.segment_changes) == 2 and s.closed_borders == (("AAA", "BBB"),)
    assert scenario_parameters(s).raw["border"]["default"]["dwell_h"] == 99.0
    seg = apply_scenario(net, s).segments.set_index("id")
    assert seg.loc["ab", "status"] == "closed"
    assert seg.loc["bc", "status"] == "closed"  # the closed border closes the crossing from the scenario date


def test_every_problem_reported_with_file_line_key_and_suggestion(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = write(
        tmp_path,
        "bad.toml",
        """name = "bad"
as_of = "soon"
expectd = true
[[segment]]
id = "abc"
status = "open"
[[station]]
id = "Betta"
gauge_change = ["crane"]
[[od]]
from = "Alpha"
to = "Gamah"
""",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(p, net)
    msg = str(info.value)
    assert f"{p}, line 3, key 'expectd': unknown key; did you mean 'expected'?" in msg
    # the unknown key stops loading before the rest is checked; fix it and see the rest
    p.write_text(p.read_text().replace("expectd", "expected"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(p, net)
    msg = str(info.value)
    assert "line 2, key 'as_of': 'soon' is not a date" in msg
    assert "line 5, key 'segment[0].id': unknown segment 'abc'; did you mean 'bc', 'ab'?" in msg
    assert "line 6, key 'segment[0].status': 'open' is not one of" in msg
    assert "key 'station[0].gauge_change'" in msg
    assert "no station named 'Betta'; did you mean Beta (b)?" in msg
    assert "no station named 'Gamah'; did you mean Gamma (c)?" in msg


def test_structural_errors(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "missing.toml", net)
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(write(tmp_path, "x.toml", "name = "), net)
    with pytest.raises(ScenarioError, match="needs a name"):
        load_scenario(write(tmp_path, "y.toml", "as_of = 2020-01-01"), net)
    write(tmp_path, "l1.toml", 'name = "l1"\nextends = "l2.toml"\n')
    write(tmp_path, "l2.toml", 'name = "l2"\nextends = "l1.toml"\n')
    with pytest.raises(ScenarioError, match="extend each other in a loop"):
        load_scenario(tmp_path / "l1.toml", net)
    with pytest.raises(ScenarioError, match="give exactly one of 'id' or 'corridor'"):
        load_scenario(write(tmp_path, "z.toml", 'name = "z"\n[[segment]]\nstatus = "closed"\n'), net)


def test_new_segments_inline_and_from_file(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    (tmp_path / "extra.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {
                            "id": "ac2",
                            "from": "a",
                            "to": "c",
                            "gauge": "1520",
                            "status": "operational",
                            "opened": "2029",
                            "source": "what-if",
                        },
                        "geometry": {"type": "LineString", "coordinates": [[0, 0], [1.5, 0.5], [3, 0]]},
                    }
                ],
            }
        )
    )
    p = write(
        tmp_path,
        "n.toml",
        """
name = "new lines"
as_of = 2030-01-01
new_segments_file = "extra.geojson"
[[new_segment]]
id = "ac"
from = "a"
to = "c"
gauge = "1520"
status = "planned"
source = "what-if"
coords = [[0, 0], [3, 0]]
""",
    )
    s = load_scenario(p, net)
    changed = apply_scenario(net, s)
    assert {"ac", "ac2"} <= set(changed.segments["id"])
    assert "ac" not in set(net.segments["id"])
    bad = write(
        tmp_path,
        "b.toml",
        """
name = "bad new"
[[new_segment]]
id = "ax"
from = "a"
to = "zz"
gauge = "1520"
status = "planned"
source = "x"
coords = [[0, 0], [3, 0]]
""",
    )
    with pytest.raises(ScenarioError, match="unknown station 'zz'"):
        apply_scenario(net, load_scenario(bad, net))


def test_shipped_scenarios_load_and_leave_data_unchanged() -> None:
    net = load_network()
    before = net.segments.copy()
    files = shipped_scenarios()
    assert {
        "before_khaf_herat",
        "khaf_herat_1_3",
        "khaf_herat_complete",
        "five_nation_built",
        "trans_afghan_built",
        "cku_open",
        "afghan_borders_closed",
    } <= set(files)
    for path in files.values():
        s = load_scenario(path, net)
        assert s.why and s.od
        apply_scenario(net, s)
    assert net.segments.equals(before)
