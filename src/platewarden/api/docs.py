"""The interactive API docs, served from this server: Swagger UI's files ship in the package.

FastAPI's own docs page loads Swagger UI from a CDN; a department's server may reach no CDN,
and a page that runs outside code beside a member's session token should not.
"""

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS_PATH = "/api/docs"
STATIC_PATH = "/api/static/swagger"
FILES = Path(__file__).parent / "static" / "swagger"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def install(app: FastAPI, *, openapi_url: str) -> None:
    """Serve Swagger UI's files and the docs page that starts it on our OpenAPI document."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} API",
        swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC_PATH}/favicon-32x32.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters={"validatorUrl": None},  # no document sent to an outside validator
    )
    html = bytes(page.body)
    headers = {"Content-Security-Policy": policy(html)}
    app.mount(STATIC_PATH, StaticFiles(directory=FILES), name="swagger-ui")

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(html, headers=headers)


def policy(html: bytes) -> str:
    """Return the docs page's content security policy: this server only.

    The page's one inline script (it starts Swagger UI) is allowed by its hash; the stylesheet's
    icons are data: images.
    """
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
