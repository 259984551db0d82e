"""stancekit: actor-level stance in multilingual news."""

__version__ = "0.1.0"
