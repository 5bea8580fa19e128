"""What every package uses and that knows no domain: extensions, records, audit, errors, months,
working days, paging, charts and tables."""
