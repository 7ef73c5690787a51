"""Exceptions that the command line turns into one clear message and an exit code."""


class MraiError(Exception):
    """Base class for errors mrai reports to the user (exit code 2)."""

    exit_code = 2


class InputError(MraiError):
    """Bad input: missing or malformed file, wrong dimensionality, NaN, unsupported size."""

    def __init__(self, message, source=None):
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class OutputError(MraiError):
    """An output that cannot be written (exists without overwrite, unwritable place)."""
