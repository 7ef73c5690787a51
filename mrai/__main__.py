from mrai.cli.main import entry

entry()
