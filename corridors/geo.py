"""Geodesic measures and country polygons.

Lengths are measured on the WGS84 ellipsoid with :class:`pyproj.Geod`; country polygons are
the Natural Earth 1:10m extract shipped as ``geodata/countries.geojson``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import Geod
from shapely import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from corridors.data import get_path

__all__ = [
    "geodesic_km",
    "km_by_country",
    "load_countries",
    "point_distance_km",
]

GEOD = Geod(ellps="WGS84")


def geodesic_km(geom: BaseGeometry) -> float:
    """Return the geodesic length of a (multi)line in kilometres on the WGS84 ellipsoid.

    Examples
    --------
    >>> from shapely import LineString
    >>> round(geodesic_km(LineString([(0, 0), (1, 0)])), 3)
    111.319
    """
    if geom.is_empty:
        return 0.0
    return float(GEOD.geometry_length(geom)) / 1000.0


def point_distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance between two points in kilometres.

    Examples
    --------
    >>> round(point_distance_km(0, 0, 0, 1), 1)
    110.6
    """
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


@functools.cache
def _countries_cached(path: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    gdf = gdf.rename(columns={"iso_a3": "country"})[["country", "name", "geometry"]]
    return gdf.set_index("country", drop=False)


def load_countries(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load country polygons (index and column ``country`` = ISO 3166 alpha-3).

    Parameters
    ----------
    path
        A GeoJSON/GeoPackage of countries with an ``iso_a3`` column; the shipped Natural Earth
        extract by default.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy; callers may change it.

    Examples
    --------
    >>> "TJK" in load_countries().index
    True
    """
    return _countries_cached(str(path or get_path("countries.geojson"))).copy()


def _lines(geom: BaseGeometry) -> list[LineString]:
    if isinstance(geom, LineString):
        return [geom] if not geom.is_empty else []
    if isinstance(geom, MultiLineString):
        return [g for g in geom.geoms if not g.is_empty]
    if hasattr(geom, "geoms"):
        out: list[LineString] = []
        for g in geom.geoms:
            out.extend(_lines(g))
        return out
    return []


def km_by_country(lines: Iterable[BaseGeometry], countries: gpd.GeoDataFrame) -> list[dict[str, float]]:
    """Split each line's geodesic length among the countries it runs through.

    Pieces that fall outside every polygon (gaps along border rivers in 1:10m data) are given
    to the nearest country, so the parts always add up to the line's whole length.

    Parameters
    ----------
    lines
        Line geometries in EPSG:4326.
    countries
        Country polygons in EPSG:4326 with a ``country`` column.

    Returns
    -------
    list of dict
        One ``{ISO3: km}`` per line, largest share first.

    Examples
    --------
    >>> from shapely import LineString
    >>> c = load_countries()
    >>> parts = km_by_country([LineString([(60.9, 36.0), (61.3, 36.0)])], c)[0]
    >>> sorted(parts)
    ['IRN', 'TKM']
    """
    sindex = countries.sindex
    geoms = countries.geometry.to_numpy()
    codes = countries["country"].to_numpy()
    out: list[dict[str, float]] = []
    for line in lines:
        total = geodesic_km(line)
        parts: dict[str, float] = {}
        cand = sindex.query(line, predicate="intersects")
        covered = None
        for i in cand:
            piece = line.intersection(geoms[i])
            km = sum(geodesic_km(p) for p in _lines(piece))
            if km > 0:
                parts[str(codes[i])] = parts.get(str(codes[i]), 0.0) + km
                covered = geoms[i] if covered is None else covered.union(geoms[i])
        rest = line if covered is None else line.difference(covered)
        for piece in _lines(rest):
            km = geodesic_km(piece)
            if km <= 0:
                continue
            nearest = (
                int(np.argmin([g.distance(piece) for g in geoms]))
                if len(cand) == 0
                else int(cand[np.argmin([geoms[i].distance(piece) for i in cand])])
            )
            code = str(codes[nearest])
            parts[code] = parts.get(code, 0.0) + km
        # Rescale the tiny rounding drift so the parts add up to the whole.
        s = sum(parts.values())
        if s > 0:
            parts = {k: v * total / s for k, v in parts.items()}
        out.append(dict(sorted(parts.items(), key=lambda kv: -kv[1])))
    return out
