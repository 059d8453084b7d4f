"""Time polls: a chair proposes slots, participants answer in their own time zone,
and the best slot becomes a meeting."""
