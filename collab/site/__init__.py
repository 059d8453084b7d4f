"""Site-wide pages: the dashboard, the language switch, the health check."""
