"""What touches the disk or the keyring: config.yaml, atomic files, the home folders, secrets, imports."""
