"""The cabinet's positions: claims per sentence, pooled per sub-issue and round."""
