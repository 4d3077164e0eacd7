"""Diffing two versions: sentence alignment, word diffs, stance flags, comparisons, search."""
