"""The console's pages, a module for each part of the work."""
