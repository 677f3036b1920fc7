"""staged-secrets: block commits that add secrets, scanning only staged lines."""
