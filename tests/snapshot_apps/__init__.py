"""Small apps that snapshot tests run (pytest-textual-snapshot loads them by path)."""
