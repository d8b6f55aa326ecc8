"""A local stand-in for Paystack and Stripe, in its own process: it answers the
provider endpoints the adapters call with the providers' documented shapes, serves a
hosted page where a person clicks Pay or Decline, and then delivers a signed webhook
to the configured callback URL, retrying like the real providers do. Nothing in the
application knows it exists: `PAYSTACK_BASE_URL` and `STRIPE_BASE_URL` point at it."""
