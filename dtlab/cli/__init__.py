"""The command line: the grammar (`parser`), the entry point (`main`), the store it opens for a
command (`run`), JSON output (`output`), and one module of handlers per topic."""

from dtlab.cli.main import main

__all__ = ["main"]
