"""The sites list and a site's page, in the browser and the API. They gather every domain's
figures for a site (fidelity, visits, programmes), so they sit on top of the domains."""
