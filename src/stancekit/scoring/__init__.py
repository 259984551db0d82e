"""Batch scoring: local streaming and Spark."""
