"""The corpus: the manifest, the sources, their text, parsing into statements, topic rules."""
