"""Reporting completeness and timeliness over a period: per site, programme, region and month,
the returns expected, received, received on time and approved (the counting rule is the pure
sites.returns.completeness; which months a site must report is programme.late_returns')."""
