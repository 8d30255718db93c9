"""Reading and writing network files: GeoJSON folders, GeoPackage and GraphML."""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import pyogrio
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from corridors._errors import DataError
from corridors.schema import SEGMENT_FIELDS, STATION_FIELDS

__all__ = [
    "read_records",
    "to_geojson",
    "to_geopackage",
    "to_graphml",
]

log = logging.getLogger(__name__)

STATIONS_FILE = "stations.geojson"
SEGMENTS_FILE = "segments.geojson"
LIST_FIELDS = {f.name for f in (*STATION_FIELDS, *SEGMENT_FIELDS) if f.kind in ("list", "urls")}


def _read_geojson(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        msg = f"{path}: file not found"
        raise DataError(msg) from None
    except json.JSONDecodeError as exc:
        msg = f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        raise DataError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 text ({exc.reason})"
        raise DataError(msg) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        msg = f"{path}: not a GeoJSON FeatureCollection (needs 'type': 'FeatureCollection' and a 'features' list)"
        raise DataError(msg)
    records = []
    for i, feat in enumerate(doc["features"]):
        if not isinstance(feat, dict):
            msg = f"{path}: feature #{i} is not a JSON object"
            raise DataError(msg)
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            msg = f"{path}: feature #{i}: 'properties' is not a JSON object"
            raise DataError(msg)
        rec = dict(props)
        rec["geometry"] = None
        if feat.get("geometry") is not None:
            try:
                rec["geometry"] = shape(feat["geometry"])
            except Exception as exc:  # shapely raises several types for malformed GeoJSON
                rec["_geometry_error"] = f"{type(exc).__name__}: {exc}"
        records.append(rec)
    return records


def _read_gpkg_layer(path: Path, layer: str) -> list[dict[str, Any]]:
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError
        msg = f"{path}: cannot read layer {layer!r} ({exc})"
        raise DataError(msg) from None
    records = []
    for rec in gdf.to_dict("records"):
        for key, value in list(rec.items()):
            if isinstance(value, float) and math.isnan(value):
                rec[key] = None
            elif key in LIST_FIELDS and isinstance(value, str):
                try:
                    rec[key] = json.loads(value)
                except json.JSONDecodeError:
                    rec[key] = value  # reported by validation as not a list
        records.append(rec)
    return records


def read_records(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str, str]:
    """Read the raw station and segment features of a network.

    Parameters
    ----------
    path
        A folder holding ``stations.geojson`` and ``segments.geojson``, or a GeoPackage with
        layers ``stations`` and ``segments``.

    Returns
    -------
    tuple
        Station records, segment records, and the names of the two files (for messages).
        Each record is the feature's properties plus ``geometry`` (shapely or None).

    Raises
    ------
    DataError
        If a file is missing, is not valid JSON, or is not a FeatureCollection.
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: network not found (no such file or folder)"
        raise DataError(msg)
    if path.is_dir():
        sfile, gfile = path / STATIONS_FILE, path / SEGMENTS_FILE
        return _read_geojson(sfile), _read_geojson(gfile), str(sfile), str(gfile)
    if path.suffix.lower() == ".gpkg":
        return (
            _read_gpkg_layer(path, "stations"),
            _read_gpkg_layer(path, "segments"),
            f"{path}:stations",
            f"{path}:segments",
        )
    msg = (
        f"{path}: a network is a folder with {STATIONS_FILE} and {SEGMENTS_FILE}, "
        "or a .gpkg with layers 'stations' and 'segments'"
    )
    raise DataError(msg)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def _atomic_write(path: Path, write: Any) -> None:
    """Write a file through a temporary sibling, so a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        os.unlink(tmp)
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _feature_collection(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
    feats = []
    for _, row in gdf.iterrows():
        props = {c: _jsonable(row[c]) for c in columns if c in row.index}
        geom: BaseGeometry = row.geometry
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    return {"type": "FeatureCollection", "features": feats}


def _dump_geojson(doc: dict[str, Any], path: Path) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")

    _atomic_write(path, write)


def to_geojson(stations: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, folder: str | Path) -> Path:
    """Write a network as a folder of ``stations.geojson`` and ``segments.geojson``.

    Only the schema's fields are written, so the folder loads back with
    :func:`corridors.load_network`.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(folder)
    _dump_geojson(_feature_collection(stations, [f.name for f in STATION_FIELDS]), folder / STATIONS_FILE)
    _dump_geojson(_feature_collection(segments, [f.name for f in SEGMENT_FIELDS]), folder / SEGMENTS_FILE)
    log.info("wrote %d stations and %d segments to %s", len(stations), len(segments), folder)
    return folder


def _encode_for_table(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if out[col].map(lambda v: isinstance(v, list | dict | tuple)).any():
            out[col] = out[col].map(lambda v: json.dumps(_jsonable(v), ensure_ascii=False))
    return out


def to_geopackage(stations: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a network to a GeoPackage with layers ``stations`` and ``segments``.

    List and dict columns are stored as JSON text; the file loads back with
    :func:`corridors.load_network`.

    Returns
    -------
    pathlib.Path
        The file.
    """
    path = Path(path)

    def write(tmp: Path) -> None:
        _encode_for_table(stations).to_file(tmp, layer="stations", driver="GPKG")
        _encode_for_table(segments).to_file(tmp, layer="segments", driver="GPKG", mode="a")

    _atomic_write(path, write)
    log.info("wrote %d stations and %d segments to %s", len(stations), len(segments), path)
    return path


def to_graphml(graph: nx.MultiGraph, path: str | Path) -> Path:
    """Write the network graph as GraphML.

    GraphML holds only scalars, so geometries are written as WKT and lists/dicts as JSON text.

    Returns
    -------
    pathlib.Path
        The file.
    """
    path = Path(path)
    g = nx.MultiGraph()
    g.graph.update({k: str(v) for k, v in graph.graph.items()})

    def scalar(v: Any) -> Any:
        if isinstance(v, BaseGeometry):
            return v.wkt
        if isinstance(v, list | dict | tuple):
            return json.dumps(_jsonable(v), ensure_ascii=False)
        v = _jsonable(v)
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else v

    for n, d in graph.nodes(data=True):
        g.add_node(n, **{k: scalar(v) for k, v in d.items()})
    for u, v, k, d in graph.edges(keys=True, data=True):
        g.add_edge(u, v, key=k, **{a: scalar(b) for a, b in d.items()})

    _atomic_write(path, lambda tmp: nx.write_graphml(g, tmp))
    return path


def frame_from_records(records: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    """Build a GeoDataFrame (EPSG:4326) from validated records with the given columns."""
    rows = [{c: r.get(c) for c in columns} | {"geometry": r["geometry"]} for r in records]
    df = pd.DataFrame(rows, columns=[*columns, "geometry"])
    for col in columns:
        # Keep missing text and dates as None (pandas would turn an all-missing column into NaN).
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")
