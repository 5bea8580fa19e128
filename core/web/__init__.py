"""What every page shares: access declarations, form fields, the layout's navigation and formats."""
