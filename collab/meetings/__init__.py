"""Meetings: scheduling across time zones, agendas with documents, answers and
attendance, minutes with adoption, decisions, actions and calendars."""
