"""MLflow: runs, the pyfunc wrapper, registry and promotion."""
