"""The command line: the Typer app, shared options, one module per command group, and the name-to-module table in main."""
