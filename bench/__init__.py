"""The benchmark: a synthetic national network, every page timed against its bare SQL.

Run it with `make bench` (see bench/README.md). Nothing in the app imports this package.
"""
