"""Trainers assigned to sites, with dates: who may record visits and reviews where."""
