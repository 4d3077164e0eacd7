"""The doors that print: the `diffview` command, terminal rendering, the markdown changelog."""
