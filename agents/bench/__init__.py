"""Throughput measurements (raw anvil baseline for `emergent bench economy`)."""
