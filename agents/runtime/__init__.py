"""The agent process: observe -> think (cognition) -> act (chain), and its persistence."""
