"""Multi-agent runs: metrics and the report."""
