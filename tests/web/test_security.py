"""The app's exposure: where it listens, its headers, the hosts it answers, /docs offline."""

from __future__ import annotations

import re
from pathlib import Path

import app as app_module
import pytest
from fastapi.testclient import TestClient

from streamforge.web import create_app

STATIC = Path(__file__).resolve().parents[2] / "src" / "streamforge" / "web" / "static"


@pytest.mark.parametrize("url", ["/sectors", "/api/sectors", "/static/app.js", "/docs", "/nope"])
def test_every_answer_carries_the_security_headers(client: TestClient, url: str) -> None:
    headers = client.get(url).headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    policy = dict(p.strip().split(" ", 1) for p in headers["content-security-policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"  # no inline or remote scripts


def test_pages_have_no_inline_or_remote_scripts(client: TestClient) -> None:
    for url in ("/sectors", "/sectors/Energy/tables/customer", "/run", "/pipeline", "/docs"):
        html = client.get(url).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="http://testserver/static/' in tag, (url, tag)  # same origin only
        assert "<script>" not in html and "cdn." not in html


def test_a_foreign_host_header_is_refused_locally(client: TestClient) -> None:
    assert client.get("/api/sectors", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/api/sectors", headers={"host": "localhost:8000"}).status_code == 200


def test_on_databricks_apps_the_proxy_decides_the_host(landing_root: Path) -> None:
    env = {"DATABRICKS_APP_PORT": "8000"}
    with TestClient(create_app(landing_root=landing_root, env=env)) as client:
        answer = client.get("/api/sectors", headers={"host": "myapp.cloud.databricksapps.com"})
        assert answer.status_code == 200


def test_extra_allowed_hosts_come_from_the_environment(landing_root: Path) -> None:
    env = {"STREAMFORGE_ALLOWED_HOSTS": "box.lan, other.lan"}
    with TestClient(create_app(landing_root=landing_root, env=env)) as client:
        assert client.get("/api/sectors", headers={"host": "box.lan"}).status_code == 200
        assert client.get("/api/sectors", headers={"host": "evil.lan"}).status_code == 400


def test_the_server_listens_on_loopback_unless_on_databricks_apps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DATABRICKS_APP_PORT", "STREAMFORGE_HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    assert app_module.parse_args([]).host == "127.0.0.1"
    monkeypatch.setenv("DATABRICKS_APP_PORT", "8080")
    args = app_module.parse_args([])
    assert (args.host, args.port) == ("0.0.0.0", 8080)
    assert app_module.parse_args(["--host", "127.0.0.2"]).host == "127.0.0.2"


def test_docs_are_served_from_vendored_assets(client: TestClient) -> None:
    html = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="http://testserver(/static/[^"]+)"', html)
    assert len(assets) >= 3  # favicon, Swagger UI's css and script, our init script
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert (STATIC / "vendor" / "swagger-ui" / "LICENSE").exists()


def test_openapi_lists_error_answers_and_closed_sets(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    start = doc["paths"]["/api/runs"]["post"]
    assert {"400", "404", "409", "422"} <= set(start["responses"])
    schemas = doc["components"]["schemas"]
    assert set(schemas["LandingFormat"]["enum"]) == {"json", "csv", "parquet", "delta"}
    assert {"databricks", "dlt-legacy", "spark"} <= set(schemas["PipelineTarget"]["enum"])
    assert set(schemas["Language"]["enum"]) == {"python", "sql"}
