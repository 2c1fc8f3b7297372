"""Use cases that combine the core pieces (config file + keyring); shared by the CLI and the GUI.
No Qt here (the UI calls these from its workspace)."""
