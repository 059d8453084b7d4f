"""The shared document library: folders, versions, safe downloads, trash."""
