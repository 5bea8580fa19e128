"""Programme staff's approval of monthly returns: services, queries, forms, views and api."""
