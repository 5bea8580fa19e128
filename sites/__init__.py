"""Organisations, sites (IPS services), Centre of Excellence awards and site outcome rates."""
