"""Maps: what is drawn (artists, legend entries, labels, route coordinates), output formats, inputs untouched."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from corridors import load_network, route, routes
from corridors.cartography import LABEL_GID, attribution_text, needs_osm_attribution
from corridors.output import save_figure, save_growth_gif
from corridors.plot import plot_comparison, plot_network, plot_routes, segment_status_on
from corridors.plot_growth import plot_growth
from corridors.style import GAUGE, MAP_CRS, STATUS

AS_OF = date(2026, 11, 28)


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return load_network()


def _legend_texts(ax) -> list[str]:  # type: ignore[no-untyped-def]
    texts = []
    for leg in [ax.get_legend(), *[a for a in ax.artists if hasattr(a, "get_texts")]]:
        if leg is not None:
            texts += [t.get_text() for t in leg.get_texts()]
    return texts


def test_network_map_draws_every_status_and_gauge(net) -> None:  # type: ignore[no-untyped-def]
    before = net.segments.copy()
    _, ax = plot_network(net, as_of=AS_OF)
    status = segment_status_on(net.segments, AS_OF)
    legend = _legend_texts(ax)
    for st in set(status.dropna()):
        assert STATUS[st]["label"] in legend
    for g in set(net.segments.loc[net.segments["mode"] == "rail", "gauge"]):  # the map draws rail by default
        assert GAUGE[g]["label"] in legend
    colors = {to_hex(c) for coll in ax.collections for c in np.atleast_2d(coll.get_edgecolor()) if len(c)}
    for g in ("1520", "1435"):
        assert GAUGE[g]["color"] in colors
    labels = {t.get_text() for t in ax.texts}
    assert {"Tehran", "Tashkent", "Dushanbe", "Bandar Abbas"} <= labels
    assert any("as of 2026-11-28" in t.get_text() for t in ax.texts)  # subtitle
    assert ax.get_title(loc="left").startswith("Rail network")
    # inputs untouched
    assert net.segments.equals(before)


def _label_boxes(fig, ax):  # type: ignore[no-untyped-def]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == LABEL_GID]
    return labels, [t.get_window_extent(r) for t in labels], ax.get_window_extent(r)


@pytest.mark.parametrize("kind", ["network", "route"])
def test_labels_do_not_overlap_and_stay_in_the_frame(net, kind) -> None:  # type: ignore[no-untyped-def]
    if kind == "network":
        fig, ax = plot_network(net, as_of=AS_OF)
    else:
        fig, ax = plot_routes(net, routes(net, "Dushanbe", "Bandar Abbas", k=2, as_of=AS_OF, by="time"), as_of=AS_OF)
    labels, boxes, frame = _label_boxes(fig, ax)
    texts = [t.get_text() for t in labels]
    assert len(boxes) > (15 if kind == "network" else 6)
    assert "AFGHANISTAN" in texts  # country names go through the same pass
    if kind == "route":
        assert any(t.endswith(" border") for t in texts) and any("→1435 mm" in t for t in texts)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1, texts[i]
        for j, b in enumerate(boxes[i + 1 :], i + 1):
            assert not a.overlaps(b), (texts[i], texts[j])


def test_status_on_past_date_hides_later_lines(net) -> None:  # type: ignore[no-untyped-def]
    s = segment_status_on(net.segments, date(2010, 1, 1), show_unbuilt=False)
    kh = net.segments["id"] == "irn_shamtigh_afg_ghurian"
    assert s[kh].isna().all()
    assert segment_status_on(net.segments, date(2021, 1, 1))[kh].eq("operational").all()


def test_route_map_coordinates_legend_and_extent(net) -> None:  # type: ignore[no-untyped-def]
    r = route(net, "Dushanbe", "Bandar Abbas", by="time", as_of=AS_OF)
    _, ax = plot_routes(net, [r], as_of=AS_OF)
    expected = np.array(gpd.GeoSeries([r.geometry], crs=4326).to_crs(MAP_CRS).iloc[0].coords)
    drawn = [np.column_stack(line.get_data()) for line in ax.lines if line.get_label() == "_route_0"]
    assert len(drawn) == 1
    np.testing.assert_allclose(drawn[0], expected)
    legend = _legend_texts(ax)
    assert any(f"{r.km:,.0f} km" in t and "1 gauge change" in t for t in legend)
    assert "border crossing" in legend
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < expected[:, 0].min() and expected[:, 0].max() < x1
    assert y0 < expected[:, 1].min() and expected[:, 1].max() < y1
    assert {"Dushanbe", "Bandar Abbas"} <= {t.get_text() for t in ax.texts}


def test_several_routes_each_own_colour(net) -> None:  # type: ignore[no-untyped-def]
    rs = routes(net, "Tashkent", "Mashhad", k=2, as_of=AS_OF, by="time")
    _, ax = plot_routes(net, rs, names=["A", "B"])
    colors = {line.get_color() for line in ax.lines if line.get_label().startswith("_route_")}
    assert len(colors) == len(rs)
    assert sum(t.startswith(("A:", "B:")) for t in _legend_texts(ax)) == len(rs)


def test_output_formats_open(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fig, _ = plot_network(net, as_of=AS_OF, figsize=(5, 4))
    png = save_figure(fig, tmp_path / "m.png", dpi=100)
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size[0] > 400 and im.size[1] > 300
    fig, _ = plot_network(net, as_of=AS_OF, figsize=(5, 4))
    root = ET.parse(save_figure(fig, tmp_path / "m.svg")).getroot()
    assert root.tag.endswith("svg")
    fig, _ = plot_network(net, as_of=AS_OF, figsize=(5, 4))
    assert save_figure(fig, tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    from corridors import CorridorsError

    fig, _ = plot_network(net, as_of=AS_OF, figsize=(5, 4))
    with pytest.raises(CorridorsError, match="maps are written as"):
        save_figure(fig, tmp_path / "m.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pdf", "m.png", "m.svg"]  # no temporary leftovers


def test_comparison_and_growth(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, axes = plot_comparison([net, net], ["2015", "2026"], as_of=[date(2015, 1, 1), AS_OF])
    assert axes[0].get_xlim() == axes[1].get_xlim()
    assert any("opened since the first panel" in t.get_text() for t in axes[1].texts)
    _, axes = plot_growth(net, [1990, 2010, 2026])
    kms = [
        float(next(t.get_text() for t in ax.texts if "km open" in t.get_text()).split()[0].replace(",", ""))
        for ax in axes
    ]
    assert kms == sorted(kms) and kms[0] < kms[-1]
    gif = save_growth_gif(net, [2000, 2026], tmp_path / "g.gif", dpi=40, as_of=AS_OF, hold=3)
    with Image.open(gif) as im:
        assert im.n_frames == 3  # 2000, 2026-01-01 and the as-of date ...
        durations = []
        for i in range(im.n_frames):
            im.seek(i)
            durations.append(im.info["duration"])
        assert durations[-1] >= 2.5 * durations[0]  # ... held three times as long


def test_plot_routes_needs_routes(net) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="at least one route"):
        plot_routes(net, [])


def test_route_map_legend_swatches_match_the_faded_network(net) -> None:  # type: ignore[no-untyped-def]
    from corridors.plot import BASE_ALPHA

    r = route(net, "Dushanbe", "Bandar Abbas", by="time", as_of=AS_OF)
    _, ax = plot_routes(net, [r], as_of=AS_OF)
    key = next(a for a in ax.artists if hasattr(a, "get_texts"))
    labels = [t.get_text() for t in key.get_texts()]
    handle = key.legend_handles[labels.index(GAUGE["1435"]["label"])]
    assert to_hex(handle.get_color()) == GAUGE["1435"]["color"] and handle.get_alpha() == BASE_ALPHA
    drawn = [c for c in ax.collections if c.get_alpha() == BASE_ALPHA]
    assert drawn  # the network under the route is drawn with that very opacity


def test_osm_geometry_adds_the_odbl_attribution(net) -> None:  # type: ignore[no-untyped-def]
    drawn = net.stations.assign(geometry_source="drawn")
    assert not needs_osm_attribution(net.segments.assign(geometry_source="drawn"), drawn)
    segs = net.segments.assign(geometry_source="drawn")
    segs.loc[segs.index[segs["mode"] == "rail"][0], "geometry_source"] = "osm_track"
    assert "© OpenStreetMap contributors" in attribution_text(segs)
    import dataclasses

    _, ax = plot_network(dataclasses.replace(net, segments=segs, stations=drawn), as_of=AS_OF)
    assert any("© OpenStreetMap contributors" in t.get_text() for t in ax.texts)


def test_pdf_and_svg_keep_text_as_text(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fig, _ = plot_network(net, as_of=AS_OF, figsize=(5, 4))
    pdf = save_figure(fig, tmp_path / "m.pdf").read_bytes()
    assert b"/FontType 3" not in pdf and b"/FontFile2" in pdf  # TrueType (Type 42) embedded
    fig, _ = plot_network(net, as_of=AS_OF, figsize=(5, 4))
    svg = save_figure(fig, tmp_path / "m.svg").read_text(encoding="utf-8")
    assert "Tashkent" in svg  # real <text>, not glyph paths
