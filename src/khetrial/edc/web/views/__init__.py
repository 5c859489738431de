"""Views of the web application, one module per area; every view declares its roles."""
