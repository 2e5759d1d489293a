"""Named, scheduled jobs (hot-list refresh, purge, audit check), each runnable at once."""
