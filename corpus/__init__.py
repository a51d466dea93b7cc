"""Documents in, section-aware chunks out. Imports nothing of ours."""
