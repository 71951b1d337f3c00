"""What the benchmarks share: the local SMTP sink, the figures and the table printer.

The benchmarks are run as scripts (``.venv/bin/python benchmarks/<name>.py``), so this folder
is importable as ``common`` from them.
"""
