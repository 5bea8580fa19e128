"""The IPS fidelity scale, scoring reviews, the review form and page, the network profile."""
