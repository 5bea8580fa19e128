"""Queries on a monthly return or one of its figures ("queries" to people and in the API): raised
by programme staff or the site's trainer, answered by the site lead. A return with an open query
cannot be approved (sites.returns.workflow)."""
