"""Everything that talks to the chain. Nothing here decides: it reads, encodes and sends."""
