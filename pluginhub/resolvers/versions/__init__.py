"""The plugin version lifecycle, one module per concept.

- `changes`: how every change runs (lock, re-read, check the rule table, record the event)
- `upload`: uploading and editing versions
- `review`: submitting, withdrawing, approving and rejecting
- `release`: gray release, going online, returning to development, rollback
- `experience`: the experience version, and deleting versions
"""
