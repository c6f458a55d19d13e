"""Throughput and extraction-quality benchmarks (JSON results under benchmarks/results/)."""
