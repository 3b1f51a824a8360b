"""What several test modules share: databases, sites that exchange bundles, cases walked along the
path, and waits on a running app. A test module imports from here, never from another test module,
so each one can be run, moved or deleted alone."""
