"""File input and output: NMRPipe data sets (files, plane series, streams) and NUS schedules."""

from mrai.fileio.header import provenance, stamp
from mrai.fileio.pipe import PipeReader, PipeWriter, read, write

__all__ = ["PipeReader", "PipeWriter", "read", "write", "stamp", "provenance"]
