"""Text stages shared by parsing and diffing: normalisation and Dutch sentence splitting."""
