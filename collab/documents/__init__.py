"""The shared document library: folders, versions, safe downloads, trash."""

from collab.documents import cli, models, views  # noqa: F401
