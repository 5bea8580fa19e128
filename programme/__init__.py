"""Funders, programmes, participation, progress against targets and late returns."""
