"""Benchmarks: speed and memory against stated targets (never timed tests)."""
