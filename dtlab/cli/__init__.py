"""The command line: the grammar (`parser`), the store a command runs on (`run`), JSON output
(`output`), and one module of handlers per topic. `dtlab.launch` is the entry point."""
