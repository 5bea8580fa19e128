"""The CSV import of monthly returns: read, check, preview, then write every row or none."""
