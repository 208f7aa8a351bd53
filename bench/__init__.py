"""Benchmarks: `make bench` (all) or `python -m bench NAME [options]` (one). Each prints a table."""
