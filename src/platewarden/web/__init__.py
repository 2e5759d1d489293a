"""The web console: server-rendered pages with HTMX, calling the same services as the API."""
