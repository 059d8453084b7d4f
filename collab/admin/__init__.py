"""The secretariat console under /admin/."""
