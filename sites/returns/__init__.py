"""Monthly returns: their rules, deadlines, the form, amendments with their history, and the API."""
