"""Webhook delivery: the outbound side (transport, sending) and the per-process worker."""
