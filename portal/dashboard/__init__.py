"""Each role's home: the network dashboard, a funder's programmes and a trainer's sites."""
