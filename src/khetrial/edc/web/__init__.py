"""The trial's web application: pages, forms, the JSON API, and the one blinding mechanism."""
