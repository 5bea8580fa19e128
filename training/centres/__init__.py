"""Centres of Excellence: who holds the award now, when each is due for re-review, the trainers
each hosts, the sites each mentors, and the sites eligible to be invited."""
