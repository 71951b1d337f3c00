"""The regulators' own cases (README.md) and the agreement table built from them."""
