"""Arguments that many fields take, declared once with their descriptions."""

from __future__ import annotations

from typing import Annotated

import strawberry

from . import enums

First = Annotated[
    int | None,
    strawberry.argument(description="Return at most this many items from the start (default 20, at most 100)."),
]
After = Annotated[str | None, strawberry.argument(description="Start after the item with this cursor.")]
Last = Annotated[
    int | None, strawberry.argument(description="Return at most this many items from the end (at most 100).")
]
Before = Annotated[str | None, strawberry.argument(description="End before the item with this cursor.")]

AppId = Annotated[str, strawberry.argument(description="The host's 16-digit appId.")]
PluginId = Annotated[str, strawberry.argument(description="The plugin's 16-digit pluginId.")]
SceneArg = Annotated[enums.Scene, strawberry.argument(description="Where the host runs the plugin.")]
DebugToken = Annotated[str | None, strawberry.argument(description="A debug binding's authorization token.")]
