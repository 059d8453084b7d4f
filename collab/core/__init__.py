"""Feature-agnostic building blocks shared by every feature package."""
