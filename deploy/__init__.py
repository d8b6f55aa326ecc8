"""Deployment assets and the local stack runner (`python -m deploy.localstack`)."""
