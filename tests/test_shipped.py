"""End-to-end checks on the shipped regional network."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from corridors import NoRouteError, load_network, load_parameters, route, routes, validate_network
from corridors.data import corridor_names, get_path
from corridors.schema import SEGMENT_FIELDS, STATION_FIELDS
from corridors.stats import km_by_corridor, km_by_country_status

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return load_network()


def test_shipped_data_validates_without_errors() -> None:
    errors = [str(p) for p in validate_network(today=date(2026, 11, 28)) if p.severity == "error"]
    assert errors == []


def test_every_feature_has_a_source(net) -> None:  # type: ignore[no-untyped-def]
    for frame in (net.stations, net.segments):
        assert frame["source"].map(bool).all()


def test_required_coverage(net) -> None:  # type: ignore[no-untyped-def]
    """The issue's list of lines: every country present, every named corridor drawn."""
    assert set(net.stations["country"]) >= {"IRN", "AFG", "TKM", "UZB", "TJK", "KGZ", "CHN", "KAZ", "PAK"}
    corridors = km_by_corridor(net)
    for c in (
        "five_nation",
        "khaf_herat",
        "trans_afghan",
        "china_kyrgyzstan_uzbekistan",
        "kazakhstan_turkmenistan_iran",
    ):
        assert corridors.loc[c, "total"] > 0, c
    kh = net.segments[net.segments["corridors"].map(lambda cs: "khaf_herat" in cs)]
    assert len(kh) >= 4 and {"operational", "under_construction"} <= set(kh["status"])
    # true geometry: most long segments bend through intermediate points
    long = net.segments[net.segments["length_geodesic_km"] > 150]
    assert (long.geometry.map(lambda g: len(g.coords)) > 2).mean() > 0.8


def test_km_by_country_adds_up(net) -> None:  # type: ignore[no-untyped-def]
    land = net.segments[~net.segments["mode"].isin(["ferry", "sea"])]  # water legs are in no country
    for parts, km in zip(land["km_by_country"], land["length_geodesic_km"], strict=True):
        assert sum(parts.values()) == pytest.approx(km, rel=1e-9)
    assert all(not parts for parts in net.segments.loc[~net.segments.index.isin(land.index), "km_by_country"])
    table = km_by_country_status(net)  # rounded to 0.1 km per cell
    assert table["total"].sum() == pytest.approx(land["length_geodesic_km"].sum(), abs=0.05 * table.size)


def test_schema_documented_once_and_in_agreement() -> None:
    doc = (ROOT / "geodata" / "README.md").read_text(encoding="utf-8")
    for field in (*STATION_FIELDS, *SEGMENT_FIELDS):
        assert re.search(rf"`{re.escape(field.name)}`", doc), field.name
        for choice in field.choices:
            assert f"`{choice}`" in doc, (field.name, choice)
    for cid in corridor_names():
        assert f"`{cid}`" in doc, cid


def test_parameters_every_value_sourced() -> None:
    raw = tomllib.loads(get_path("parameters.toml").read_text(encoding="utf-8"))
    load_parameters()  # validates

    def walk(table: dict, path: str) -> None:  # type: ignore[type-arg]
        numbers = [k for k, v in table.items() if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers:
            assert table.get("source") or table.get("assumption"), path
        for k, v in table.items():
            if isinstance(v, dict):
                walk(v, f"{path}.{k}")

    walk(raw, "")


AS_OF = date(2026, 11, 28)


def test_mashhad_herat_needs_khaf_herat_section_4(net) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoRouteError, match="Herat is not in Mashhad's connected part"):
        route(net, "Mashhad", "Herat", as_of=AS_OF)
    kh4 = [
        s
        for s, cs, st in zip(net.segments["id"], net.segments["corridors"], net.segments["status"], strict=True)
        if "khaf_herat" in cs and st != "operational"
    ]
    r = route(net, "Mashhad", "Herat", as_of=AS_OF, open_segments=kh4)
    assert r.stations[0] == "irn_mashhad" and r.stations[-1] == "afg_herat"
    assert [(b.from_country, b.to_country) for b in r.borders] == [("IRN", "AFG")]
    assert set(kh4) <= set(r.segments)
    # and not before the first sections opened in 2020
    with pytest.raises(NoRouteError):
        route(net, "Mashhad", "Herat", as_of=date(2019, 1, 1), open_segments=kh4)


def test_kashgar_to_bandar_abbas(net) -> None:  # type: ignore[no-untyped-def]
    r = route(net, "Kashgar", "Bandar Abbas", as_of=AS_OF, by="time")
    assert r.km_by_country.keys() >= {"CHN", "IRN"}
    # China 1435 -> Central Asia 1520 -> Iran 1435: exactly two breaks of gauge
    assert len(r.gauge_changes) == 2
    countries = [r.borders[0].from_country] + [b.to_country for b in r.borders]
    assert countries[0] == "CHN" and countries[-1] == "IRN"
    assert len(r.borders) == len(countries) - 1 >= 3


def test_dushanbe_to_bandar_abbas_today_goes_round_afghanistan(net) -> None:  # type: ignore[no-untyped-def]
    r = route(net, "Dushanbe", "Bandar Abbas", as_of=AS_OF, by="time")
    assert "AFG" not in r.km_by_country
    assert len(r.gauge_changes) == 1  # 1520 -> 1435 entering Iran
    assert [b.to_country for b in r.borders][-1] == "IRN"


def test_termez_to_mazar_crosses_one_border(net) -> None:  # type: ignore[no-untyped-def]
    r = route(net, "Termez", "afg_naibabad", as_of=AS_OF)
    assert [(b.from_country, b.to_country) for b in r.borders] == [("UZB", "AFG")]
    assert r.gauge_changes == []


def test_termez_to_herat_not_before_the_lines_exist(net) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoRouteError, match="segments not open then"):
        route(net, "Termez", "Herat", as_of=AS_OF)


def test_alternatives_on_shipped_network(net) -> None:  # type: ignore[no-untyped-def]
    rs = routes(net, "Tashkent", "Mashhad", k=3, as_of=AS_OF, by="time")
    assert len(rs) >= 2
    assert [r.hours for r in rs] == sorted(r.hours for r in rs)
