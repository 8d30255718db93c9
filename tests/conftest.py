"""Shared fixtures: tiny hand-made networks whose answers can be computed by hand.

Stations sit on a grid near the equator, where one degree of longitude is 111.319 km on the
WGS84 ellipsoid, so lengths are easy to check. Fixture countries are boxes (see ``COUNTRIES``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import pytest
from shapely.geometry import box

matplotlib.use("Agg")

#: Three fixture countries side by side: AAA for lon < 2, BBB for 2 <= lon < 4, CCC beyond.
COUNTRIES = gpd.GeoDataFrame(
    {"country": ["AAA", "BBB", "CCC"], "name": ["Aland", "Bland", "Cland"]},
    geometry=[box(-10, -10, 2, 10), box(2, -10, 4, 10), box(4, -10, 14, 10)],
    crs="EPSG:4326",
).set_index("country", drop=False)

#: One degree of longitude on the equator, km (WGS84).
DEG_KM = 111.31949079327357

PARAMS_TOML = """
[units]
cost = "USD per TEU"
[speed.default]
kmh = 50.0
assumption = true
[border.default]
dwell_h = 10.0
fee_usd = 100.0
assumption = true
[gauge_change.transloading]
time_h = 5.0
cost_usd = 50.0
assumption = true
[gauge_change.bogie_exchange]
time_h = 2.0
cost_usd = 80.0
assumption = true
[tariff.default]
usd_per_km = 1.0
assumption = true
[value_of_time]
usd_per_h = 10.0
assumption = true
[country_groups.WEST]
members = ["AAA", "BBB"]
source = "fixture"
"""


def station(
    sid: str,
    lon: float,
    lat: float,
    country: str = "AAA",
    *,
    gauge_change: list[str] | None = None,
    **props: Any,
) -> dict[str, Any]:
    p = {
        "id": sid,
        "name": props.pop("name", sid.upper()),
        "alt_names": props.pop("alt_names", []),
        "country": country,
        "role": props.pop("role", "station"),
        "gauge_change": gauge_change or [],
        "source": "fixture",
        **props,
    }
    return {"type": "Feature", "properties": p, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def segment(
    sid: str,
    coords: list[tuple[float, float]],
    frm: str,
    to: str,
    gauge: str = "1520",
    status: str = "operational",
    opened: str | None = "2000",
    **props: Any,
) -> dict[str, Any]:
    p = {
        "id": sid,
        "from": frm,
        "to": to,
        "gauge": gauge,
        "status": status,
        "opened": opened,
        "source": "fixture",
        **props,
    }
    return {
        "type": "Feature",
        "properties": p,
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
    }


def write_network(folder: Path, stations: list[dict[str, Any]], segments: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, feats in (("stations.geojson", stations), ("segments.geojson", segments)):
        (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return folder


def line_network(
    folder: Path,
    specs: list[tuple[str, str, str, str]],
    positions: dict[str, tuple[float, float]],
    countries: dict[str, str] | None = None,
    facilities: dict[str, list[str]] | None = None,
) -> Path:
    """Write a network of straight segments: specs are (id, from, to, gauge)."""
    countries = countries or {}
    facilities = facilities or {}
    st = [station(s, *xy, countries.get(s, "AAA"), gauge_change=facilities.get(s)) for s, xy in positions.items()]
    sg = [segment(i, [positions[a], positions[b]], a, b, g) for i, a, b, g in specs]
    return write_network(folder, st, sg)


@pytest.fixture
def countries() -> gpd.GeoDataFrame:
    return COUNTRIES.copy()


@pytest.fixture
def params_path(tmp_path: Path) -> Path:
    p = tmp_path / "parameters.toml"
    p.write_text(PARAMS_TOML, encoding="utf-8")
    return p


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
