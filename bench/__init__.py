"""Benchmarks: `make bench` runs every part and writes docs/benchmarks.md.

Run one part alone with `python -m bench broker` (names in `bench.__main__.PARTS`).
"""
