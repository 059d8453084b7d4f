"""Configuration classes, loaded by ``collab.create_app`` in a fixed order."""
