"""The live dashboard (`emergent dashboard`): chain events through the indexer, served as a local web page."""
