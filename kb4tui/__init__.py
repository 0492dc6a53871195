"""kb4tui: a keyboard-first terminal UI for KnowBe4 security-awareness training."""

__version__ = "0.1.0"
