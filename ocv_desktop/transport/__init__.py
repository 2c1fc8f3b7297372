"""How bytes reach a node: SSH, HTTPS API, local commands. No Qt."""
