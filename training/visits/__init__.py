"""Trainers' visits, the actions agreed at them, the actions list, and trainers' activity."""
