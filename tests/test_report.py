"""Options files and comparison reports: parsing, numbers, escaping, atomic output, a real browser."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest

from conftest import COUNTRIES, segment, station, write_network
from corridors import load_network, route
from corridors.options import OptionsError, evaluate_options, load_options
from corridors.report import build_report, write_report

MARKUP = '<script>alert("x")</script> & <b>Bold</b>'


@pytest.fixture
def net(tmp_path: Path):  # type: ignore[no-untyped-def]
    r"""
    a ---- b(BBB) ---- c        two lines from a to c: through BBB, or round by d
     \                /
      d -------------
    """
    path = write_network(
        tmp_path / "n",
        [
            station("a", 0, 0, name=MARKUP),
            station("b", 2.5, 0, "BBB", name="Bee"),
            station("c", 5, 0, "CCC", name="Sea"),
            station("d", 1, -1, name="Dee"),
        ],
        [
            segment("ab", [(0, 0), (2.5, 0)], "a", "b", source="src <i>one</i>"),
            segment("bc", [(2.5, 0), (5, 0)], "b", "c"),
            segment("ad", [(0, 0), (1, -1)], "a", "d"),
            segment(
                "dc", [(1, -1), (3, -1.5), (5, 0)], "d", "c", status="planned", opened=None, expected_opening="2030"
            ),
        ],
    )
    return load_network(path, countries=COUNTRIES)


def options_file(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "opts.toml"
    p.write_text(body, encoding="utf-8")
    return p


GOOD = """
title = "A to C"
description = "two ways"
dates = [2026-01-01, 2031-01-01]
[[option]]
name = "Through Bee"
from = "a"
to = "Sea"
[[option]]
name = "Avoiding Bee"
from = "a"
to = "c"
avoid_stations = ["Bee"]
"""


def test_options_parse_and_evaluate(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    of = load_options(options_file(tmp_path, GOOD), net)
    assert [o.name for o in of.options] == ["Through Bee", "Avoiding Bee"]
    assert of.options[0].destination == "c"
    evs = evaluate_options(net, of.options, of.dates)
    by = {(e.option.name, e.on): e for e in evs}
    assert by[("Avoiding Bee", date(2026, 1, 1))].route is None
    assert [d["segment"] for d in by[("Avoiding Bee", date(2026, 1, 1))].depends_on] == ["dc"]
    assert by[("Avoiding Bee", date(2031, 1, 1))].route is None  # planned, not expected=true
    assert by[("Through Bee", date(2026, 1, 1))].route is not None


def test_every_options_error_reported_before_work(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = options_file(
        tmp_path,
        """
titel = "typo"
by = "fastest"
[[option]]
name = "one"
from = "Bea"
to = "c"
avoid_countries = ["XXX"]
within_group = "WETS"
scenario = "nope"
[[option]]
name = "one"
from = "a"
""",
    )
    with pytest.raises(OptionsError) as info:
        load_options(p, net)
    msg = str(info.value)
    for expected in (
        "key 'titel': unknown key; did you mean 'title'?",
        "key 'by': 'fastest' is not one of",
        "key 'option[0].from': no station named 'Bea'; did you mean Sea (c), Bee (b)?",
        "key 'option[0].avoid_countries': 'XXX' is not a country of the network",
        "key 'option[0].within_group': unknown country group 'WETS'",
        "key 'option[0].scenario': no scenario 'nope'",
        "two options are named 'one'",
        "key 'option[1].from': an option needs 'from' and 'to'",
    ):
        assert expected in msg, expected
    with pytest.raises(OptionsError, match="not found"):
        load_options(tmp_path / "missing.toml", net)
    impossible = options_file(
        tmp_path,
        """
[[option]]
name = "x"
from = "a"
to = "c"
via = ["Bee"]
avoid_countries = ["BBB"]
""",
    )
    with pytest.raises(OptionsError, match=r"key 'option\[0\].via': b is in BBB, which this option avoids"):
        load_options(impossible, net)
    with pytest.raises(OptionsError, match="at least one"):
        load_options(options_file(tmp_path, 'title = "empty"'), net)


def test_report_escapes_markup_and_is_self_contained(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(net, load_options(options_file(tmp_path, GOOD), net), command="corridors compare x")
    out = write_report(rep, net, tmp_path / "rep", dpi=60)
    html = (out / "report.html").read_text(encoding="utf-8")
    # one script: the map's own, inlined; the option name's markup is escaped text
    assert html.count("<script") == 1 and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "src &lt;i&gt;one&lt;/i&gt;" in html  # segment sources are data too
    # nothing is loaded from another host: no remote src, stylesheet, import or CSS url()
    assert 'src="http' not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert html.count('src="data:image/png;base64,') >= 2
    for name in (
        "report.md",
        "options.csv",
        "routes.geojson",
        "map_all_options.png",
        "map_all_options.svg",
        "options_over_time.png",
        "sources.csv",
        "assumptions.csv",
    ):
        assert (out / name).exists(), name
    back = gpd.read_file(out / "routes.geojson")
    assert set(back["option"]) == {"Through Bee"} and back.crs.to_epsg() == 4326
    assert "crs" not in json.loads((out / "routes.geojson").read_text(encoding="utf-8"))  # RFC 7946
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md and "<b>" not in md


def test_regenerate_command_is_shell_quoted(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    argv = ["corridors", "compare", "my options.toml", "--out", "it's here"]
    rep = build_report(net, load_options(options_file(tmp_path, GOOD), net), command=argv)
    import shlex

    assert shlex.split(rep.command) == argv
    out = write_report(rep, net, tmp_path / "rep", dpi=50, xlsx=False)
    assert rep.command in (out / "report.md").read_text(encoding="utf-8")


def test_every_url_is_its_own_link_and_paths_are_relative(shipped_report) -> None:  # type: ignore[no-untyped-def]
    import re

    out, rep = shipped_report
    html = (out / "report.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert len(hrefs) > 40
    for h in hrefs:
        assert re.fullmatch(r"https?://\S+", h) and ";" not in h, h
    from corridors.report import split_urls

    expected = sum(len(split_urls(u)) for u in rep.sources["source_url"]) + sum(
        len(split_urls(a["source_url"])) for a in rep.assumptions
    )
    assert len(hrefs) == expected
    for name in ("report.html", "report.md", "report.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert str(Path.cwd()) not in text and "/work/" not in text and "/home/" not in text, name


def test_csvs_are_tidy(shipped_report) -> None:  # type: ignore[no-untyped-def]
    out, _ = shipped_report
    import csv

    with (out / "options.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        for col in ("border_crossings", "gauge_changes", "depends_on_count", "km"):
            assert r[col] == "" or r[col].isdigit(), (col, r[col])
    for name in ("options.csv", "timeline.csv", "sources.csv"):
        text = (out / name).read_text(encoding="utf-8")
        assert ",inf" not in text and ",nan" not in text.lower(), name


def test_workbook_reads_back_with_types(shipped_report) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from openpyxl import load_workbook

    out, rep = shipped_report
    wb = load_workbook(out / "report.xlsx")
    assert wb.sheetnames == ["options", "by date", "assumptions", "sources", "timeline"]
    ws = wb["options"]
    assert ws.freeze_panes in ("A2", "B2")
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in ws.iter_rows(min_row=2)]
    assert len(rows) == len(rep.table)
    for r in rows:
        assert isinstance(r["date"], dt.datetime | dt.date)
        if r["route exists"]:
            assert isinstance(r["km"], int) and isinstance(r["days"], float) and isinstance(r["borders"], int)
    assert ws.column_dimensions["A"].width >= 20 and all(ws.column_dimensions[c].width >= 6 for c in "BCDE")
    tl = wb["timeline"]
    th = [c.value for c in tl[1]]
    first = [c.value for c in tl[2]]
    assert isinstance(first[th.index("date")], dt.datetime | dt.date)
    src = wb["sources"]
    links = [c.hyperlink.target for row in src.iter_rows(min_row=2) for c in row if c.hyperlink is not None]
    assert links and all(u.startswith("http") and ";" not in u for u in links)


def test_atomic_output_on_failure_and_existing_folder(net, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import corridors.report as rmod
    from corridors.output import OutputExistsError

    rep = build_report(net, load_options(options_file(tmp_path, GOOD), net), command="x")
    good = write_report(rep, net, tmp_path / "rep", dpi=60)
    before = sorted(p.name for p in good.iterdir())
    with pytest.raises(OutputExistsError, match="--force"):
        write_report(rep, net, good)
    calls = {"n": 0}
    real = rmod.save_figure

    def flaky(*args: object, **kwargs: object) -> Path:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rmod, "save_figure", flaky)
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(rep, net, good, force=True, dpi=60)
    assert sorted(p.name for p in good.iterdir()) == before  # the good report is untouched
    calls["n"] = 0
    with pytest.raises(RuntimeError):
        write_report(rep, net, tmp_path / "new", dpi=60)
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary leftovers


@pytest.fixture(scope="module")
def shipped_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    net = load_network()
    from corridors.data import get_path

    rep = build_report(net, load_options(get_path("options/tajikistan_gulf.toml"), net), command="test")
    return write_report(rep, net, tmp_path_factory.mktemp("r") / "tajik", dpi=80, pdf=_chromium() is not None), rep


def test_table_numbers_equal_the_routing_engine(shipped_report) -> None:  # type: ignore[no-untyped-def]
    out, rep = shipped_report
    net = load_network()
    row = rep.table[
        (rep.table["option"] == "Through Uzbekistan and Turkmenistan") & (rep.table["date"] == "2026-11-28")
    ]
    r = route(net, "Dushanbe", "Bandar Abbas", by="time", as_of=date(2026, 11, 28), avoid_countries=["AFG"])
    assert row["km"].iloc[0] == round(r.km, 0)
    assert row["hours"].iloc[0] == round(r.hours, 1)
    assert row["border_crossings"].iloc[0] == len(r.borders)
    assert row["gauge_changes"].iloc[0] == len(r.gauge_changes)
    meta = json.loads((out / "report.json").read_text())
    assert meta["verdicts"] and meta["data_version"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_report_renders_in_a_real_browser(shipped_report) -> None:  # type: ignore[no-untyped-def]
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; tests/run.sh installs Debian's chromium when run as root")
        pytest.skip("chromium not installed (tests/run.sh installs it as root)")
    from playwright.sync_api import sync_playwright

    out, _ = shipped_report
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        failed: list[str] = []
        remote: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto((out / "report.html").as_uri())
        assert page.locator("table").count() >= 3
        assert page.locator("td.best").count() >= 1
        sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        # the interactive map: hovering a route shows its facts, a checkbox hides its layer
        tip = page.locator("#imap-tip")
        assert tip.is_hidden()
        route_path = page.locator("#layer-option-0 path.route")
        route_path.scroll_into_view_if_needed()
        box = route_path.bounding_box()
        assert box is not None
        hit = page.evaluate(
            """() => { const p = document.querySelector('#layer-option-0 path.route');
            const svg = p.ownerSVGElement; const pt = p.getPointAtLength(p.getTotalLength() / 2);
            const m = p.getScreenCTM(); return [pt.x * m.a + m.e, pt.y * m.d + m.f]; }"""
        )
        page.mouse.move(hit[0], hit[1])
        assert tip.is_visible()
        name = page.locator("#layer-option-0").get_attribute("data-option")
        assert name and name in tip.inner_text() and "km" in tip.inner_text()
        viewbox = page.locator("#imap").get_attribute("viewBox")
        page.locator("#imap-in").click()
        assert page.locator("#imap").get_attribute("viewBox") != viewbox  # zoomed
        page.locator("input[data-layer='layer-option-0']").uncheck()
        assert page.locator("#layer-option-0").is_hidden()
        assert page.locator("#layer-option-1").is_visible()
        page.locator("input[data-layer='layer-option-0']").check()
        assert page.locator("#layer-option-0").is_visible()
        # print layout: no table wider than the page
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 1050, "height": 740})  # A4 landscape at 96 dpi, minus margins
        overflow = page.evaluate(
            "Array.from(document.querySelectorAll('table'))"
            ".filter(t => t.scrollWidth > document.body.clientWidth + 2).length"
        )
        browser.close()
    assert len(sizes) >= 3 and all(ok and w > 100 for ok, w in sizes)
    assert failed == [] and remote == []
    assert overflow == 0


def _pdftoppm() -> str | None:
    return shutil.which("pdftoppm")


def test_pdf_pages_render_and_are_not_blank(shipped_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from PIL import Image, ImageStat

    out, _ = shipped_report
    if not (out / "report.pdf").exists() or _pdftoppm() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and pdftoppm are needed; tests/run.sh installs chromium and poppler-utils as root")
        pytest.skip("chromium or pdftoppm (poppler-utils) not installed")
    pdf = (out / "report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    subprocess.run([_pdftoppm(), "-r", "30", "-png", str(out / "report.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 3
    for p in pages:
        with Image.open(p) as im:
            assert im.width > im.height  # A4 landscape
            stat = ImageStat.Stat(im.convert("L"))
            assert stat.stddev[0] > 5, p.name  # not blank
    with Image.open(pages[0]) as im:  # page 1 is not half empty: ink in its lower half
        gray = im.convert("L")
        lower = gray.crop((0, gray.height // 2, gray.width, gray.height - 20))
        assert ImageStat.Stat(lower).stddev[0] > 5
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dev dependency
        return
    reader = PdfReader(out / "report.pdf")
    text = reader.pages[0].extract_text()
    assert "Summary table" in text and "margin over next" in text  # every column on the page, as text


def test_pdf_without_chromium_says_how_to_get_it(net, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from corridors.report_pdf import ChromiumNotFoundError

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CORRIDORS_CHROMIUM", raising=False)
    rep = build_report(net, load_options(options_file(tmp_path, GOOD), net), command="x")
    with pytest.raises(ChromiumNotFoundError, match="apt-get install chromium"):
        write_report(rep, net, tmp_path / "rep", pdf=True)
    assert not (tmp_path / "rep").exists()
