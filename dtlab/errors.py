"""Exit codes of the command-line contract."""

OK = 0
UNEXPECTED = 1
USAGE = 2
REFUSED = 3  # a gate or a validation rule refused the request
BUNDLE_REJECTED = 4


def describe_error(error: BaseException | None) -> str:
    """One line for a person: the driver's own message rather than a statement dump."""
    if error is None:
        return "unknown error"
    inner = getattr(error, "orig", None) or error
    text = str(inner).strip().splitlines()
    return text[0] if text else type(inner).__name__
