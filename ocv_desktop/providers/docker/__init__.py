"""Docker nodes: the provider, its parsers and the Engine socket API client."""
