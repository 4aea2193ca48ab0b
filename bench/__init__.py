"""The benchmark harness of `make bench` (see README.md here and tools/benchenv.py)."""
