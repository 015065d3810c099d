"""Benchmarks (`python -m bench`, `make bench`): each module measures one part and returns its figures."""
