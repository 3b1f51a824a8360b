"""Reusable widgets of the terminal UI: forms built from field specs, dialogs, tabs, the case
table and the footer."""
