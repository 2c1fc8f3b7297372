"""Proxmox VE nodes: the provider, its API client (tickets, tokens, UPID tasks) and parsers."""
