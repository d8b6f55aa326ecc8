"""v1 vendor size charts."""
