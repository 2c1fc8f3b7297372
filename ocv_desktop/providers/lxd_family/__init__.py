"""LXD and Incus nodes: one provider with two names, its REST client, CLI road, parsers and enrollment."""
