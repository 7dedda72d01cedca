"""The interactive API docs' assets, served from the installed swagger-ui-bundle-v2 wheel.

flask-smorest renders the Swagger UI page at /api/v1/docs; its scripts and styles come from here
rather than a CDN, so the docs work on a machine or a network with no internet.
"""

from __future__ import annotations

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from engagement.extensions import limiter

ASSETS_URL = "/api/v1/docs/assets/"
# The folder name carries the Swagger UI version, so browsers may keep what they fetched for a day.
ASSETS_MAX_AGE = 24 * 3600

blp = Blueprint("docs_assets", __name__)


@blp.route(f"{ASSETS_URL}<path:filename>")
@limiter.exempt
def docs_asset(filename: str):
    return send_from_directory(str(swagger_ui_path), filename, max_age=ASSETS_MAX_AGE)
