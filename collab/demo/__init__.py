"""Demo data for `make run`: only ever created by `flask demo load`."""
