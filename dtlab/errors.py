"""Exit codes of the command-line contract."""

OK = 0
UNEXPECTED = 1
USAGE = 2
REFUSED = 3  # a gate or a validation rule refused the request
BUNDLE_REJECTED = 4
