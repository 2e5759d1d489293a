"""The HTTP API (/api/v1): an interface like the CLI, calling services only."""
