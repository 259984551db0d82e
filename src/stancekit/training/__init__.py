"""Training: train(cfg) -> fitted model and metrics."""
