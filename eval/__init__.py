"""Gold questions, the evaluation runner and its metrics."""
