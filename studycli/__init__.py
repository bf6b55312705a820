"""studycli: drill AI-engineering interview questions with FSRS spaced repetition."""

__version__ = "0.1.0"
