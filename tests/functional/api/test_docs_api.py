"""The interactive docs come from this server alone: no CDN, and a policy that says so."""

import re

from platewarden.api.app import SECURITY_HEADERS
from tests.functional.api.conftest import Client

REFERENCE = re.compile(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""")


def test_the_docs_page_loads_only_files_this_server_serves(client: Client) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert not re.search(r"https?://", html), "the docs page names an outside address"
    referenced = REFERENCE.findall(html)
    assert {"/api/openapi.json"} < set(referenced)
    for path in referenced:
        assert path.startswith("/"), path
        served = client.get(path)
        assert served.status_code == 200, path
        assert served.content, path
    kinds = {client.get(p).headers["content-type"].split(";")[0] for p in referenced}
    assert {"text/css", "image/png", "application/json"} <= kinds
    assert any("javascript" in kind for kind in kinds)


def test_the_docs_page_may_run_only_its_own_scripts(client: Client) -> None:
    policy = client.get("/api/docs").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    sources = directives["script-src"].split()
    assert sources[0] == "'self'"
    assert all(s.startswith("'sha256-") for s in sources[1:]), "inline scripts only by hash"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_the_api_keeps_its_strict_policy(client: Client) -> None:
    answer = client.get("/api/openapi.json")
    strict = SECURITY_HEADERS["Content-Security-Policy"]
    assert answer.headers["content-security-policy"] == strict
