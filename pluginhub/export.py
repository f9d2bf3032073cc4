"""`pluginhub events export`: a plugin's event log for an audit, streamed.

Events are read in keyset batches (`id > last`), each written and flushed
before the next is read, so memory stays flat however long the log is.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import TextIO

from .resolvers import event_documents

BATCH = 500
FORMATS = ("jsonl", "csv")


async def export_events(
    plugin_id: str, out: TextIO, *, fmt: str = "jsonl", since: datetime | None = None, batch: int = BATCH
) -> int:
    """Write every event of the plugin (at or after `since`) to `out`; how many."""
    writer = csv.DictWriter(out, fieldnames=event_documents.FIELDS) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    filters = {"plugin_id": plugin_id} | ({"occurred_at__gte": since} if since else {})
    last, written = 0, 0
    while True:
        rows = await event_documents.rows(batch, **filters, id__gt=last)
        for row in rows:
            doc = event_documents.document(row)
            if writer is not None:
                writer.writerow(doc)
            else:
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        out.flush()
        written += len(rows)
        if len(rows) < batch:
            return written
        last = rows[-1]["id"]
