"""The app in a real browser (Playwright driving Debian's chromium), one user's path through it."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"
    ),
]


class Server:
    """uvicorn on a localhost port, in a thread, with the landing root in tmp; stop and start it
    again on the same port to see what survives an app restart."""

    def __init__(self, landing_root: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.landing_root = landing_root
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import uvicorn

        from streamforge.web import create_app

        app = create_app(landing_root=self.landing_root, env={})
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.uv = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.uv.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.uv.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.uv.started, "uvicorn did not start"

    def stop(self) -> None:
        self.uv.should_exit = True
        self.thread.join(30)


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path / "landing")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(app_server: Server) -> str:
    return app_server.url


def test_browse_run_and_download_a_pipeline(server: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, accept_downloads=True)
        expect = sync_api.expect
        errors: list[str] = []  # CSP violations and script errors show up as console errors
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(server)
        expect(page.locator("h1")).to_have_text("Sectors")
        page.screenshot(path=ARTIFACTS / "sectors.png", full_page=True)
        page.click("nav.pills >> text=Energy")
        expect(page.locator("svg.diagram")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "sector.png", full_page=True)

        page.click("table.data >> text=meter_readings")
        expect(page.locator("#preview tbody tr").first).to_be_visible()
        assert page.locator(".chart").count() >= 5
        expect(page.locator("code.language-yaml.hljs")).to_be_visible()  # highlighted
        first = page.locator("#preview tbody tr td").first.inner_text()
        page.click("#preview th >> nth=0")
        page.click("#preview th >> nth=0")  # descending: the last key comes first
        assert page.locator("#preview tbody tr td").first.inner_text() != first
        page.screenshot(path=ARTIFACTS / "table.png", full_page=True)

        page.click(".top nav >> text=Run")
        page.fill("input[name=destination]", "browser-run")
        page.fill("input[name=interval]", "1")
        expect(page.locator("#estimate")).to_contain_text("every cycle")
        page.click("#start")
        expect(page.locator("#s-state")).to_have_text("running", timeout=15_000)
        expect(page.locator("#s-cycle")).to_have_text("2", timeout=20_000)
        page.reload()  # the run lives in the server: the page finds it again
        expect(page.locator("#s-cycle")).not_to_have_text("0", timeout=10_000)
        # (no wait_for_function: its string predicate is an eval, which the app's CSP forbids)
        expect(page.locator("#s-cycle")).to_have_text(re.compile(r"^([3-9]|\d\d+)$"))
        page.screenshot(path=ARTIFACTS / "run.png", full_page=True)
        page.click("#stop")
        expect(page.locator("#s-state")).to_have_text("stopped", timeout=15_000)
        assert (tmp_path / "landing" / "browser-run" / "meter_readings").is_dir()
        page.reload()  # the form shows the selected run's settings again
        expect(page.locator("input[name=destination]")).to_have_value("browser-run")
        expect(page.locator("input[name=interval]")).to_have_value("1")
        expect(page.locator("#remove")).to_be_visible()
        expect(page.locator("#s-rate")).not_to_have_text("—")

        page.click("#s-explore")  # the landing explorer: tables, files, a sample, verify
        expect(page.locator("#tables tbody tr").first).to_be_visible()
        page.click("#tables tbody tr >> text=meter_readings")
        page.click("#files tbody tr >> nth=0")
        expect(page.locator("#sample tbody tr").first).to_be_visible()
        page.click("#verify")
        expect(page.locator("#verify-result")).to_contain_text("ok:", timeout=30_000)
        page.screenshot(path=ARTIFACTS / "landing.png", full_page=True)

        page.click(".top nav >> text=Pipeline")
        page.click(".segmented >> text=sql")
        expect(page.locator("code.language-sql.hljs").first).to_be_visible()
        page.screenshot(path=ARTIFACTS / "pipeline.png", full_page=False)
        with page.expect_download() as info:
            page.click("#download")
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        names = zipfile.ZipFile(saved).namelist()
        assert any(n.endswith("databricks.yml") for n in names)
        assert any(n.endswith(".sql") for n in names)
        page.click(".segmented >> text=notebooks")  # the project as a workshop of notebooks
        page.click(".segmented >> text=workshop")
        expect(page.locator("h2 code >> text=solutions/streamforge_energy.sql")).to_be_visible()
        with page.expect_download() as info:
            page.click("#download")
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        names = zipfile.ZipFile(saved).namelist()
        assert {n.split("/")[1] for n in names} >= {"solutions", "transformations"}

        page.click(".top nav >> text=API")  # Swagger UI from vendored assets, under the CSP
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("StreamForge")
        page.screenshot(path=ARTIFACTS / "docs.png", full_page=False)
        assert errors == []
        browser.close()


PAGES = {
    "sectors": "/sectors",
    "sector-finance": "/sectors/Finance",  # 8 tables, five levels of foreign keys
    "table": "/sectors/Energy/tables/customer",
    "table-profile": "/sectors/Healthcare/tables/encounters",  # the load over the day
    "run": "/run",
    "pipeline": "/pipeline?sector=Retail",
    "pipeline-workshop": "/pipeline?sector=Retail&notebooks=ipynb&workshop=true",
    "docs": "/docs",
    "error-422": "/sectors/Energy/tables/customer?seed=-1",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_fits_1280_and_390_pixels(server: str, scheme: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        # A run's full landing path names it in the Pipeline page's "From run" select.
        body = {"sector": "Energy", "interval": 30, "destination": "a-landing-" + "x" * 60}
        started = urllib.request.urlopen(
            urllib.request.Request(
                server + "/api/runs",
                json.dumps(body).encode(),
                {"content-type": "application/json"},
            )
        )
        pages = {**PAGES, "pipeline-from-run": f"/pipeline?run={json.load(started)['id']}"}
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
            for name, url in pages.items():
                page.goto(server + url)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=ARTIFACTS / f"{name}-{width}-{scheme}.png", full_page=True)
                # Nothing wider than the screen: wide tables and diagrams scroll in their box.
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
                nav = page.locator(".top nav")
                if nav.count():
                    box = nav.bounding_box()
                    assert box is not None and box["x"] + box["width"] <= width, (name, width)
                text = page.locator("svg.diagram text").first
                if text.count():  # the relationship diagram is never shrunk to unreadable text
                    box = text.bounding_box()
                    assert box is not None and box["height"] >= 11, (name, width, box)
            if scheme == "dark":
                page.goto(server + "/sectors")
                script = "getComputedStyle(document.documentElement).backgroundColor"
                background = page.evaluate(script)
                assert background == "rgb(20, 23, 29)"  # the dark palette's --bg
            page.close()
        browser.close()


def test_edit_a_table_with_findings_inline_and_a_live_preview(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/sectors/Energy/tables/plant")
        page.click("#edit")
        expect(page.locator("#edit-preview table#preview")).to_be_visible(timeout=20_000)
        expect(page.locator("#edit-state")).to_have_text("valid")

        # Type an error as a user would: the line gets a marker, the list says why.
        line = page.locator(".CodeMirror-line", has_text="num_rows")
        line.click(position={"x": 4, "y": 4})  # at the line start: no sideways scroll
        page.keyboard.press("End")
        page.keyboard.type("zz")
        expect(page.locator(".CodeMirror-lint-marker-error").first).to_be_visible(timeout=10_000)
        expect(page.locator("#edit-issues li").first).to_contain_text("num_rows")
        page.screenshot(path=ARTIFACTS / "editor-error.png", full_page=False)

        # Fix it with another row count: the preview is regenerated from the edited text.
        for _ in range(len("120zz")):
            page.keyboard.press("Backspace")
        page.keyboard.type("7")
        expect(page.locator("#edit-state")).to_have_text("valid", timeout=10_000)
        expect(page.locator("#edit-preview")).to_contain_text("over 7 rows", timeout=20_000)
        assert page.locator("#edit-preview table#preview tbody tr").count() == 7
        page.screenshot(path=ARTIFACTS / "editor-fixed.png", full_page=False)
        assert errors == []
        browser.close()


def test_a_run_survives_an_app_restart(app_server: Server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(app_server.url + "/run")
        page.fill("input[name=destination]", "restart-run")
        page.fill("input[name=interval]", "1")
        page.click("#start")
        expect(page.locator("#s-cycle")).to_have_text(re.compile(r"^[2-9]$"), timeout=30_000)
        page.fill("#scenario-form input[name=late_rate]", "0.3")
        page.fill("#scenario-form input[name=burst]", "2")
        page.click("#apply-scenario")
        expect(page.locator("#s-events")).to_contain_text("scenario for the next cycles")

        app_server.stop()  # as a redeploy does: the run stops with the server
        app_server.start()
        page.reload()
        expect(page.locator("#s-resumed")).to_be_visible(timeout=30_000)
        expect(page.locator("#s-state")).to_have_text("running")
        expect(page.locator("input[name=destination]")).to_have_value("restart-run")
        # The dimensions written before the restart are still counted.
        expect(page.locator("#s-tables")).to_contain_text("customer")
        page.screenshot(path=ARTIFACTS / "run-after-restart.png", full_page=True)
        page.click("#stop")
        expect(page.locator("#s-state")).to_have_text("stopped", timeout=15_000)
        browser.close()


def test_the_table_page_draws_the_load_over_the_day(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/sectors/Healthcare/tables/encounters")
        bars = page.locator("#load-curve .load-hours .col")
        sync_api.expect(bars).to_have_count(24)
        heights = [bars.nth(h).bounding_box()["height"] for h in range(24)]  # type: ignore[index]
        # Clinic hours: the mornings and afternoons tower over the night (weights 2.4 vs 0.2).
        assert max(heights) == heights[9] and heights[3] < heights[9] / 5
        assert page.locator("#load-curve .load-days .bar-row").count() == 7
        page.locator("#load-curve").screenshot(path=ARTIFACTS / "load-curve-1280.png")
        browser.close()
