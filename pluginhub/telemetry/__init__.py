"""What operators see of a running server: metrics, logs and traces.

`requests` keeps what is known about the request being answered (id,
operation, viewer, start) where log lines and metrics can read it;
`operations` is the schema extension that fills it in; `metrics`, `logs`
and `tracing` turn it into Prometheus samples, JSON lines and spans.
"""
