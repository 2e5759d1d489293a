"""The `platewarden` command line: Typer sub-apps, one per domain, that call services only."""
