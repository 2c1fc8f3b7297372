"""Pure domain: models, errors, config, secrets. Imports nothing of ours and no Qt."""
