"""The SQLite returns store the Performance Team consolidates into, and its export."""
