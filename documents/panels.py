"""The dashboard's "Documents to read" panel: the person's unconfirmed read requests in force."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wagtail.admin.ui.components import Component

from documents.queries import pending_acknowledgements

PANEL_LIMIT = 10


class DocumentsToReadPanel(Component):
    name = "documents_to_read"
    template_name = "documents/panels/to_read.html"
    order = 55

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        pending = pending_acknowledgements(parent_context["request"].user)
        items = list(pending[: PANEL_LIMIT + 1])
        return {"items": items[:PANEL_LIMIT], "more": len(items) > PANEL_LIMIT}
