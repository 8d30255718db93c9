"""Summary tables of a network: kilometres by country, status, gauge and corridor."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from corridors.network import Network
from corridors.schema import STATUSES

__all__ = ["connectivity", "km_by_corridor", "km_by_country_status", "km_by_gauge_status", "summary"]


def _status_table(df: pd.DataFrame, by: str) -> pd.DataFrame:
    table = df.pivot_table(index=by, columns="status", values="km", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=[s for s in STATUSES if s in table.columns])
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False).round(1)


def km_by_country_status(net: Network) -> pd.DataFrame:
    """Kilometres of line by country (from geometry against country polygons) and status.

    Examples
    --------
    >>> from corridors import load_network
    >>> t = km_by_country_status(load_network())
    >>> "IRN" in t.index and "total" in t.columns
    True
    """
    rows = [
        {"country": c, "status": s, "km": km}
        for s, parts in zip(net.segments["status"], net.segments["km_by_country"], strict=True)
        for c, km in parts.items()
    ]
    return _status_table(pd.DataFrame(rows, columns=["country", "status", "km"]), "country")


def km_by_gauge_status(net: Network) -> pd.DataFrame:
    """Kilometres of line by gauge and status (geodesic lengths).

    Examples
    --------
    >>> from corridors import load_network
    >>> "1520" in km_by_gauge_status(load_network()).index
    True
    """
    df = net.segments[["gauge", "status", "length_geodesic_km"]].rename(columns={"length_geodesic_km": "km"})
    return _status_table(pd.DataFrame(df), "gauge")


def km_by_corridor(net: Network) -> pd.DataFrame:
    """Kilometres of each corridor by status (a segment may belong to several corridors).

    Examples
    --------
    >>> from corridors import load_network
    >>> "khaf_herat" in km_by_corridor(load_network()).index
    True
    """
    rows = [
        {"corridor": c, "status": s, "km": km}
        for s, km, cs in zip(
            net.segments["status"], net.segments["length_geodesic_km"], net.segments["corridors"], strict=True
        )
        for c in cs
    ]
    return _status_table(pd.DataFrame(rows, columns=["corridor", "status", "km"]), "corridor")


def summary(net: Network) -> dict[str, object]:
    """Counts and headline figures of a network, as plain Python values.

    Examples
    --------
    >>> from corridors import load_network
    >>> s = summary(load_network())
    >>> s["stations"] > 0 and s["segments"] > 0
    True
    """
    seg = net.segments
    return {
        "source": net.source,
        "description": net.description,
        "stations": len(net.stations),
        "segments": len(seg),
        "countries": sorted(set(net.stations["country"])),
        "km_total": round(float(seg["length_geodesic_km"].sum()), 1),
        "km_by_status": {k: round(float(v), 1) for k, v in seg.groupby("status")["length_geodesic_km"].sum().items()},
        "gauge_change_stations": sorted(
            sid for sid, gc in zip(net.stations["id"], net.stations["gauge_change"], strict=True) if gc
        ),
        "border_segments": int(sum(1 for p in seg["km_by_country"] if len(p) > 1)),
    }


def connectivity(net: Network) -> dict[str, int]:
    """How many connected parts the network has, over all segments and over operational ones.

    Stations no segment reaches are not counted as parts.

    Examples
    --------
    >>> from corridors import load_network
    >>> c = connectivity(load_network())
    >>> c["parts_operational"] >= c["parts_all"] >= 1
    True
    """
    out = {}
    for key, segs in (("all", net.segments), ("operational", net.segments[net.segments["status"] == "operational"])):
        g = nx.Graph()
        g.add_edges_from(zip(segs["from"], segs["to"], strict=True))
        parts = sorted(nx.connected_components(g), key=len, reverse=True)
        out[f"parts_{key}"] = len(parts)
        out[f"largest_part_{key}"] = len(parts[0]) if parts else 0
    return out
