"""Reports over scored rows (above scoring: it only reads what the scorer wrote)."""
