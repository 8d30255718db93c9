"""Reading and writing network files: GeoJSON folders, GeoPackage and GraphML."""

from __future__ import annotations

import json
import logging
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from corridors._errors import DataError
from corridors.output import atomic_file
from corridors.schema import SEGMENT_FIELDS, STATION_FIELDS, parse_date

__all__ = [
    "frame_from_records",
    "geojson_document",
    "read_records",
    "to_geojson",
    "to_geopackage",
    "to_graphml",
    "write_geojson",
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
    precision_cols = {c for c in gdf.columns if c.endswith(PRECISION_SUFFIX) and c[: -len(PRECISION_SUFFIX)] in gdf}
    records = []
    for rec in gdf.to_dict("records"):
        for key, value in list(rec.items()):
            if key in precision_cols:
                del rec[key]
            elif key + PRECISION_SUFFIX in precision_cols:
                rec[key] = _partial_date(value, rec.get(key + PRECISION_SUFFIX))
            elif key in LIST_FIELDS and isinstance(value, np.ndarray | list):
                rec[key] = [_jsonable(v) for v in value]
            elif isinstance(value, float) and math.isnan(value):
                rec[key] = None
            elif key in LIST_FIELDS and isinstance(value, str):
                try:
                    rec[key] = json.loads(value)
                except json.JSONDecodeError:
                    rec[key] = value  # reported by validation as not a list
        records.append(rec)
    return records


def _partial_date(value: Any, precision: Any) -> str | None:
    """A GeoPackage date and its precision back to the partial ISO date of the source."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    text = value[:10] if isinstance(value, str) else pd.Timestamp(value).date().isoformat()
    keep = {"year": 4, "month": 7}.get(str(precision), 10)
    return text[:keep]


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
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.ndarray | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    return value


def _atomic_write(path: Path, write: Any) -> None:
    """Write a file through :func:`corridors.output.atomic_file` (replacing it), so a failure leaves nothing."""
    with atomic_file(path, force=True) as tmp:
        write(tmp)


def _dump_geojson(doc: dict[str, Any], path: Path) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")

    _atomic_write(path, write)


def to_geojson(stations: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, folder: str | Path) -> Path:
    """Write a network as a folder of ``stations.geojson`` and ``segments.geojson``.

    Only the schema's fields (and ``geometry_source``/``osm_ids`` when present) are written, as
    RFC 7946 GeoJSON, so the folder loads back with :func:`corridors.load_network`.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(folder)
    for gdf, fields, name in ((stations, STATION_FIELDS, STATIONS_FILE), (segments, SEGMENT_FIELDS, SEGMENTS_FILE)):
        columns = [f.name for f in fields] + [c for c in EXTRA_FIELDS if c in gdf.columns]
        _dump_geojson(geojson_document(gdf, columns=columns), folder / name)
    log.info("wrote %d stations and %d segments to %s", len(stations), len(segments), folder)
    return folder


def _orient(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Polygons with counter-clockwise exterior and clockwise interior rings (RFC 7946, 3.1.6)."""
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return geom
    return shapely.orient_polygons(geom, exterior_cw=False)


def geojson_document(
    gdf: gpd.GeoDataFrame, *, columns: list[str] | None = None, precision: int | None = None
) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of a GeoDataFrame.

    Coordinates are WGS84 longitude/latitude (the frame is reprojected when needed), polygon
    rings wind counter-clockwise (holes clockwise), and there is no ``crs`` member. Values are
    made JSON-safe (NaN -> null, numpy scalars -> numbers, dates -> ISO strings).

    Parameters
    ----------
    gdf
        Features in any CRS.
    columns
        Properties to write (all non-geometry columns by default).
    precision
        Round coordinates to this many decimals (None: full precision).

    Returns
    -------
    dict
        The GeoJSON document.

    Examples
    --------
    >>> from shapely import Polygon
    >>> cw = Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    >>> doc = geojson_document(gpd.GeoDataFrame({"a": [1]}, geometry=[cw], crs=4326))
    >>> ring = doc["features"][0]["geometry"]["coordinates"][0]
    >>> shapely.LinearRing(ring).is_ccw, "crs" in doc
    (True, False)
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    geo_col = gdf.geometry.name
    columns = [c for c in gdf.columns if c != geo_col] if columns is None else columns
    geoms = [_orient(g) for g in gdf.geometry]
    if precision is not None:
        geoms = [None if g is None else shapely.set_precision(g, 10.0**-precision) for g in geoms]
    feats = []
    for (_, row), geom in zip(gdf.iterrows(), geoms, strict=True):
        props = {c: _jsonable(row[c]) for c in columns if c in row.index}
        feats.append({"type": "Feature", "properties": props, "geometry": None if geom is None else mapping(geom)})
    return {"type": "FeatureCollection", "features": feats}


def write_geojson(
    gdf: gpd.GeoDataFrame, path: str | Path, *, columns: list[str] | None = None, precision: int | None = None
) -> Path:
    """Write a GeoDataFrame as an RFC 7946 GeoJSON file (see :func:`geojson_document`), atomically.

    Returns
    -------
    pathlib.Path
        The file.
    """
    path = Path(path)
    _dump_geojson(geojson_document(gdf, columns=columns, precision=precision), path)
    return path


# --------------------------------------------------------------------------------------------
# GeoPackage
# --------------------------------------------------------------------------------------------
#: Suffix of the column that keeps how precise a partial date is (``year``, ``month`` or ``day``).
PRECISION_SUFFIX = "_precision"
_PRECISION = {1: "year", 2: "month", 3: "day"}
_DATE_FIELDS = {f.name for f in (*STATION_FIELDS, *SEGMENT_FIELDS) if f.kind == "date"}
#: Optional feature properties written when a frame has them (geometry provenance).
EXTRA_FIELDS = ("geometry_source", "osm_ids")

_FLOAT_FIELDS = {f.name for f in (*STATION_FIELDS, *SEGMENT_FIELDS) if f.kind == "float"}

_DESCRIPTIONS = {
    "stations": "Rail stations of the corridors network (schema: geodata/README.md in the corridors project).",
    "segments": (
        "Rail segments between stations. Dates are the first day of the period the source gives; "
        "<field>_precision says whether the source gave a year, a month or a day."
    ),
    "countries": "Country polygons (Natural Earth 1:10m, public domain) used to split lengths by country.",
}


def _arrow_table(gdf: gpd.GeoDataFrame, columns: list[str]) -> Any:
    import pyarrow as pa

    arrays: dict[str, Any] = {}
    for col in columns:
        if col not in gdf.columns:
            continue
        values = [_jsonable(v) for v in gdf[col]]
        if col in _DATE_FIELDS:
            parsed = [None if not v else parse_date(str(v)) for v in values]
            arrays[col] = pa.array(parsed, pa.date32())
            arrays[col + PRECISION_SUFFIX] = pa.array(
                [None if not v else _PRECISION[len(str(v).split("-"))] for v in values], pa.string()
            )
        elif col in LIST_FIELDS or any(isinstance(v, list) for v in values):
            items = [[] if v is None else (v if isinstance(v, list) else [v]) for v in values]
            kind = pa.int64() if all(isinstance(x, int) for it in items for x in it) and any(items) else pa.string()
            arrays[col] = pa.array([[x if kind == pa.int64() else str(x) for x in it] for it in items], pa.list_(kind))
        elif isinstance(next((v for v in values if v is not None), None), dict):
            arrays[col] = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values])
        elif col in _FLOAT_FIELDS:
            arrays[col] = pa.array(values, pa.float64())
        elif all(v is None for v in values):
            arrays[col] = pa.array(values, pa.string())
        else:
            arrays[col] = pa.array(values)
    arrays["geometry"] = pa.array(shapely.to_wkb(_orient_all(gdf)), pa.binary())
    return pa.table(arrays)


def _orient_all(gdf: gpd.GeoDataFrame) -> list[Any]:
    return [_orient(g) for g in gdf.geometry]


def _write_layer(path: Path, gdf: gpd.GeoDataFrame, layer: str, columns: list[str], *, append: bool) -> None:
    types = set(gdf.geom_type.dropna())
    if types and types <= {"Polygon", "MultiPolygon"} and len(types) > 1:
        gdf = gdf.set_geometry([shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in gdf.geometry])
        types = {"MultiPolygon"}
    geometry_type = types.pop() if len(types) == 1 else "Unknown"
    pyogrio.write_arrow(
        _arrow_table(gdf, columns),
        path,
        layer=layer,
        driver="GPKG",
        geometry_name="geometry",
        geometry_type=geometry_type,
        crs=gdf.crs.to_string() if gdf.crs is not None else "EPSG:4326",
        append=append,
        layer_options={"DESCRIPTION": _DESCRIPTIONS.get(layer, layer), "GEOMETRY_NAME": "geometry"},
    )


def to_geopackage(
    stations: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    path: str | Path,
    *,
    countries: gpd.GeoDataFrame | None = None,
) -> Path:
    """Write a network to a GeoPackage with layers ``stations``, ``segments`` and ``countries``.

    Dates are real GeoPackage ``DATE`` fields (the first day of the period the source gives) with
    a ``<field>_precision`` column (``year``, ``month`` or ``day``) so nothing is lost; list fields
    are JSON (GDAL subtype JSON, ``application/json`` in ``gpkg_data_columns``); every layer has
    a description. The file loads back with :func:`corridors.load_network` to equal frames and
    without new warnings.

    Parameters
    ----------
    stations, segments
        The network's frames (only schema fields, plus ``geometry_source``/``osm_ids`` when
        present, are written; derived columns are recomputed on loading).
    path
        The ``.gpkg`` file.
    countries
        Country polygons for the ``countries`` layer; the shipped ones by default.

    Returns
    -------
    pathlib.Path
        The file.
    """
    from corridors.geo import load_countries

    path = Path(path)
    countries = load_countries() if countries is None else countries
    extra = list(EXTRA_FIELDS)

    def write(tmp: Path) -> None:
        _write_layer(tmp, stations, "stations", [f.name for f in STATION_FIELDS] + extra, append=False)
        _write_layer(tmp, segments, "segments", [f.name for f in SEGMENT_FIELDS] + extra, append=True)
        _write_layer(tmp, countries, "countries", [c for c in countries.columns if c != "geometry"], append=True)

    _atomic_write(path, write)
    log.info(
        "wrote %d stations, %d segments and %d countries to %s", len(stations), len(segments), len(countries), path
    )
    return path


# --------------------------------------------------------------------------------------------
# GraphML
# --------------------------------------------------------------------------------------------
#: Edge attributes that are numbers in GraphML (``double``), never written as empty strings.
NUMERIC_EDGE_KEYS = ("length_km", "length_geodesic_km", "length_documented_km", "hours", "cost")


def _graphml_value(v: Any) -> Any:
    if isinstance(v, BaseGeometry):
        return v.wkt
    if isinstance(v, list | dict | tuple):
        return json.dumps(_jsonable(v), ensure_ascii=False)
    v = _jsonable(v)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return float(v)  # one type per key: every number is a double
    return str(v)


def to_graphml(
    graph: nx.MultiGraph,
    path: str | Path,
    *,
    prices: pd.DataFrame | None = None,
    length_basis: str | None = None,
) -> Path:
    """Write the network graph as GraphML that networkx and igraph both read.

    Every edge (segment; parallel segments stay separate edges, keyed by segment id, which is
    also the ``segment`` attribute) has
    ``length_km``: the kilometres routing counts (the documented length where there is one and
    ``length_basis`` is ``documented``, else the geodesic length), with ``length_documented_km``
    and ``length_geodesic_km`` beside it; with ``prices``, also ``hours`` and ``cost``. Nodes
    have numeric ``lon`` and ``lat``. Numbers are ``double`` keys and a missing value is left
    out, never written as an empty string; each attribute has exactly one key. Geometries are
    WKT, lists and dicts JSON text.

    Parameters
    ----------
    graph
        The network graph (``Network.graph``).
    path
        The ``.graphml`` file.
    prices
        Per-segment columns indexed by segment id (e.g. ``hours`` and ``cost`` from
        :func:`corridors.tables.segment_prices`); every numeric column is written.
    length_basis
        ``documented`` or ``geometry``; the shipped parameters' ``routing.length_basis`` by default.

    Returns
    -------
    pathlib.Path
        The file.

    Examples
    --------
    >>> import tempfile
    >>> from corridors import load_network
    >>> p = to_graphml(load_network().graph, Path(tempfile.mkdtemp()) / "n.graphml")
    >>> G = nx.read_graphml(p, force_multigraph=True)
    >>> isinstance(next(iter(G.edges(data=True)))[2]["length_km"], float)
    True
    """
    from corridors.params import load_parameters
    from corridors.pricing import segment_km

    path = Path(path)
    basis = length_basis or load_parameters().length_basis
    g = nx.MultiGraph()
    g.graph.update({k: str(graph.graph[k]) for k in ("name", "crs") if k in graph.graph})
    price_cols = [] if prices is None else [c for c in prices.columns if pd.api.types.is_numeric_dtype(prices[c])]
    for n, d in graph.nodes(data=True):
        attrs = {k: _graphml_value(v) for k, v in d.items() if k != "id"}  # the node id is the station id
        geom = d.get("geometry")
        if geom is not None and not geom.is_empty:
            attrs["lon"], attrs["lat"] = float(geom.x), float(geom.y)
        g.add_node(n, **{k: v for k, v in attrs.items() if v is not None})
    for u, v, k, d in graph.edges(keys=True, data=True):
        # The segment id is the edge's key (the GraphML edge id, which networkx reads back as the
        # key) and, for readers that drop edge ids (igraph), attribute "segment".
        attrs = {a: _graphml_value(b) for a, b in d.items() if a not in ("length_km", "id")}
        attrs["segment"] = str(k)
        doc = d.get("length_km")
        km, _ = segment_km(None if doc is None or doc != doc else float(doc), float(d["length_geodesic_km"]), basis)
        attrs["length_km"] = km
        attrs["length_basis"] = (
            "documented" if basis == "documented" and km != d.get("length_geodesic_km") else "geometry"
        )
        attrs["length_documented_km"] = _graphml_value(d.get("length_km"))
        if prices is not None and k in prices.index:
            for c in price_cols:
                attrs[c] = _graphml_value(prices.at[k, c])
        g.add_edge(u, v, key=k, **{a: b for a, b in attrs.items() if b is not None})
    _atomic_write(path, lambda tmp: nx.write_graphml(g, tmp))
    log.info("wrote %d nodes and %d edges to %s", g.number_of_nodes(), g.number_of_edges(), path)
    return path


def frame_from_records(records: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    """Build a GeoDataFrame (EPSG:4326) from validated records with the given columns."""
    rows = [{c: r.get(c) for c in columns} | {"geometry": r["geometry"]} for r in records]
    df = pd.DataFrame(rows, columns=[*columns, "geometry"])
    for col in columns:
        # Keep missing text and dates as None (pandas would turn an all-missing column into NaN).
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")
