"""Experiments: importable modules with main(argv); the registry lists them (see registry.py)."""
