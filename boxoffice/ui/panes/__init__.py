"""Widgets only: each pane renders a presenter and calls its methods."""
