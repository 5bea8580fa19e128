"""How IPS spread: the network year by year (sites launched, active, at Good or better, Centres of
Excellence) and who seeded whom (lead organisations, Centres and the sites they mentored)."""
