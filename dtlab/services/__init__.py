"""The use cases: each owns its transaction and is called by the command line and the TUI alike."""
