"""What a person reads: labels, sentences and renderers, in one catalogue for every front end."""
