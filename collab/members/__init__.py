"""Member profiles, the directory, and people's control over their own data."""
