"""Mentoring between sites: a site (usually a Centre of Excellence) helps another to set up or
improve its IPS service, between two dates, sometimes within a programme."""
