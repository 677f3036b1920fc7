"""Turn git state into findings: git plumbing, the diff reader, the scanner, the CLI."""
