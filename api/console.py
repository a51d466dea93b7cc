"""The staff console's page and files (/admin/): static, the data comes from the
internal API with the key the page signs in with."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from api.widget import STATIC_DIR

ADMIN_DIR = STATIC_DIR / "admin"
ADMIN_FILES = {"admin.js": "text/javascript; charset=utf-8", "admin.css": "text/css; charset=utf-8"}
# Stricter than the widget's: only its own files, its own API, and never framed (a
# console inside another page could be clickjacked into deleting documents).
ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": ADMIN_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/admin")
async def console_redirect() -> RedirectResponse:
    return RedirectResponse("/admin/", status_code=308)


@router.get("/admin/")
async def console_page() -> FileResponse:
    return FileResponse(
        ADMIN_DIR / "index.html", media_type="text/html; charset=utf-8", headers=HEADERS
    )


@router.get("/admin/{name}")
async def console_file(name: str) -> FileResponse:
    media = ADMIN_FILES.get(name)
    if media is None:
        raise HTTPException(404, "not found")
    return FileResponse(ADMIN_DIR / name, media_type=media, headers=HEADERS)
