"""One module per platform behind the Provider base class. No Qt."""
