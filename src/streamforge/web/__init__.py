"""The StreamForge web app: pages and a JSON API over the `streamforge.api` facade."""

from streamforge.web.app import create_app

__all__ = ["create_app"]
