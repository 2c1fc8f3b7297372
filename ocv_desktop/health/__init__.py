"""Health checks and the periodic monitor. No Qt."""
