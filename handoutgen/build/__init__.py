"""The build: what is stale and why, worker processes, the manifest, readiness (status) and watch
mode."""
