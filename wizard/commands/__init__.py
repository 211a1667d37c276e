"""One module per command; each has `run(args) -> ExitCode`. The parser lives in wizard.cli."""
