"""HTTP plumbing shared by both APIs: request context and throttling middleware,
bearer-token parsing, rate limits, input guards, JSON error responses, the metrics
view.

Not a bounded context and not a Django app: the contexts never import it; it calls
their selectors and `shared_domain.common` (errors, request context, metrics).
"""
