"""HTTP layer over qa/ (a later issue)."""
