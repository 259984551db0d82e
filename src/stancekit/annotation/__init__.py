"""Annotation workflow: Label Studio tasks out, annotations back in, agreement between annotators."""
