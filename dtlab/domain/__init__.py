"""Pure rules of the case desk: no I/O, no imports from the rest of dtlab."""
