"""Reading OpenStreetMap railways: .osm.pbf and .osm files, and OSM-derived line and station files.

:func:`read_osm` returns plain way and station records whatever the input format; building a
network from them is :func:`corridors.osm.import_osm`. The data is © OpenStreetMap contributors,
ODbL 1.0.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely

from corridors._errors import DataError

__all__ = ["NO_OSM_ID", "OsmStation", "OsmWay", "read_osm"]

log = logging.getLogger(__name__)

NO_OSM_ID = "corridors:no_osm_id"
_OSM_SUFFIXES = (".osm", ".pbf", ".osm.pbf", ".osm.bz2", ".osm.gz", ".o5m", ".osc")
_TABLE_SUFFIXES = (".gpkg", ".gpkg.gz", ".shp", ".fgb", ".shp.zip")


@dataclass
class OsmWay:
    """One OpenStreetMap way (or part of one): its id, vertices (lon, lat), node ids and tags."""

    id: int
    coords: list[tuple[float, float]]
    tags: dict[str, str]
    nodes: list[int] | None = None


@dataclass
class OsmStation:
    """One OpenStreetMap station or halt node."""

    id: int
    lon: float
    lat: float
    tags: dict[str, str]


# --------------------------------------------------------------------------------------------
# Reading


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suf in sorted({*_OSM_SUFFIXES, *_TABLE_SUFFIXES, ".json", ".json.gz", ".geojson", ".geojson.gz"}, key=len)[
        ::-1
    ]:
        if name.endswith(suf):
            return suf
    return path.suffix.lower()


def _read_osmium(path: Path) -> tuple[list[OsmWay], list[OsmStation]]:
    import osmium

    ways: list[OsmWay] = []
    stations: list[OsmStation] = []
    try:
        for obj in osmium.FileProcessor(str(path)).with_locations():
            if isinstance(obj, osmium.osm.Node):
                if obj.tags.get("railway") in ("station", "halt") and obj.location.valid():
                    tags = {t.k: t.v for t in obj.tags}
                    stations.append(OsmStation(obj.id, obj.location.lon, obj.location.lat, tags))
            elif isinstance(obj, osmium.osm.Way) and "railway" in obj.tags:
                coords, nodes = [], []
                for n in obj.nodes:
                    if n.location.valid():
                        coords.append((n.location.lon, n.location.lat))
                        nodes.append(n.ref)
                if len(coords) >= 2:
                    ways.append(OsmWay(obj.id, coords, {t.k: t.v for t in obj.tags}, nodes))
    except RuntimeError as exc:  # libosmium reports malformed input as RuntimeError
        msg = f"{path}: cannot read OpenStreetMap data ({exc})"
        raise DataError(msg) from None
    return ways, stations


def _parse_id(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    m = re.search(r"(\d+)$", str(value))
    return int(m.group(1)) if m else None


def _line_parts(geom: Any) -> list[list[tuple[float, float]]]:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [[(float(x), float(y)) for x, y in np.asarray(geom.coords)[:, :2]]]
    if geom.geom_type == "MultiLineString":
        return [p for g in geom.geoms for p in _line_parts(g)]
    return []


def _tags_from_props(props: dict[str, Any]) -> dict[str, str]:
    tags = {
        str(k): str(v)
        for k, v in props.items()
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v) != ""
    }
    if "railway" not in tags:
        for key in ("fclass", "type", "rail_type"):
            if key in tags:
                tags["railway"] = tags[key]
                break
    return tags


def _from_features(rows: Iterable[tuple[dict[str, Any], Any]], path: Path) -> tuple[list[OsmWay], list[OsmStation]]:
    ways: list[OsmWay] = []
    stations: list[OsmStation] = []
    for props, geom in rows:
        wid = None
        for key in ("osm_id", "osm_way_id", "@id", "id"):
            wid = _parse_id(props.get(key))
            if wid is not None:
                break
        tags = _tags_from_props(props)
        if wid is None:
            # Not attributable to an OSM element (e.g. a line its file's author added): counted, dropped.
            wid, tags = 0, {NO_OSM_ID: "yes"}
        if geom is not None and geom.geom_type == "Point":
            if tags.get("railway") in ("station", "halt"):
                stations.append(OsmStation(wid, float(geom.x), float(geom.y), tags))
            continue
        for part in _line_parts(geom):
            if len(part) >= 2:
                ways.append(OsmWay(wid, part, tags))
    return ways, stations


def _read_table(path: Path) -> tuple[list[OsmWay], list[OsmStation]]:
    with tempfile.TemporaryDirectory() as tmp:
        src = path
        if path.name.lower().endswith(".gz"):
            src = Path(tmp) / path.name[:-3]
            with gzip.open(path, "rb") as fin, src.open("wb") as fout:
                shutil.copyfileobj(fin, fout)
        try:
            gdf = pyogrio.read_dataframe(src)
        except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError
            msg = f"{path}: cannot read ({exc})"
            raise DataError(msg) from None
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    return _from_features(zip(props, gdf.geometry, strict=True), path)


def _read_json(path: Path) -> tuple[list[OsmWay], list[OsmStation]]:
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not readable JSON ({exc})"
        raise DataError(msg) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        rows = [
            (f.get("properties") or {}, shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None)
            for f in doc.get("features", [])
        ]
        return _from_features(rows, path)
    if not isinstance(doc, list):
        msg = f"{path}: expected a GeoJSON FeatureCollection or a JSON list of ways or stations"
        raise DataError(msg)
    ways: list[OsmWay] = []
    stations: list[OsmStation] = []
    for i, item in enumerate(doc):
        if not isinstance(item, dict) or "id" not in item:
            msg = f"{path}: item #{i} is not an object with an 'id'"
            raise DataError(msg)
        kind = str(item.get("type") or "")
        if isinstance(item.get("geometry"), list):
            # Overpass "out geom" style: [[lat, lon], ...] -- latitude first.
            try:
                coords = [(float(p[1]), float(p[0])) for p in item["geometry"]]
            except (TypeError, IndexError, ValueError):
                msg = f"{path}: way {item['id']}: 'geometry' is not a list of [lat, lon] pairs"
                raise DataError(msg) from None
            tags = {"railway": kind} if kind else {}
            tags.update({str(k): str(v) for k, v in (item.get("tags") or {}).items()})
            if len(coords) >= 2:
                ways.append(OsmWay(int(item["id"]), coords, tags))
        elif "lat" in item and "lon" in item:
            tags = {"railway": kind or "station"}
            if item.get("name"):
                tags["name"] = str(item["name"])
            if item.get("nameLocal"):
                tags["name:local"] = str(item["nameLocal"])
            stations.append(OsmStation(int(item["id"]), float(item["lon"]), float(item["lat"]), tags))
        else:
            msg = f"{path}: item #{i} has neither a 'geometry' list (a way) nor 'lat'/'lon' (a station)"
            raise DataError(msg)
    return ways, stations


def read_osm(paths: str | Path | Sequence[str | Path]) -> tuple[list[OsmWay], list[OsmStation]]:
    """Read the railway ways and station nodes of one or more OpenStreetMap files.

    Parameters
    ----------
    paths
        ``.osm.pbf``/``.osm`` (XML) files, GeoPackage/shapefile/GeoJSON line files with an OSM id
        column, or JSON way and station lists (``arc_railways_*.json.gz``, lat before lon);
        ``.gz`` compressed files are read as they are.

    Returns
    -------
    tuple
        The ways (coordinates as lon, lat) and the station and halt nodes.

    Raises
    ------
    DataError
        If a file is missing, of an unknown kind, or malformed (the message names it).

    Examples
    --------
    >>> from corridors.data import get_path
    >>> ways, stations = read_osm(get_path("osm/arc_stations_turkmenistan.json.gz"))
    >>> len(ways), len(stations) > 400
    (0, True)
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    ways: list[OsmWay] = []
    stations: list[OsmStation] = []
    for p in map(Path, paths):
        if not p.exists():
            msg = f"{p}: file not found"
            raise DataError(msg)
        suf = _suffix(p)
        if suf in _OSM_SUFFIXES:
            w, s = _read_osmium(p)
        elif suf in _TABLE_SUFFIXES:
            w, s = _read_table(p)
        elif suf in (".json", ".json.gz", ".geojson", ".geojson.gz"):
            w, s = _read_json(p)
        else:
            msg = f"{p}: unknown kind of file; read .osm.pbf, .osm, .gpkg, .shp, .geojson and .json (optionally .gz)"
            raise DataError(msg)
        log.info("read %d ways and %d station nodes from %s", len(w), len(s), p)
        ways += w
        stations += s
    return ways, stations
