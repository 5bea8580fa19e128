"""Publication: a funder's programmes, the printable report, exports, open data and the map."""
