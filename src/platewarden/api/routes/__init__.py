"""The API's routers, one per domain like the CLI's sub-apps."""
