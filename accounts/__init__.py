"""People, their roles and API tokens, logging in and out, and the scope port the domains ask."""
