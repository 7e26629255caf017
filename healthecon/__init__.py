"""healthecon."""
