"""Command-line interface: a thin layer over the library (see ``mrai --help``)."""

from mrai.cli.main import cli, entry, main

__all__ = ["cli", "main", "entry"]
