"""Settings shared by every deployable. Each deployable's settings module imports
`shared_domain.settings.base` and changes only what differs."""
