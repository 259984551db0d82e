"""Metrics, bootstrap intervals, reports and plots."""
