"""Wagtail's chooser widgets without an inline <script> (our CSP allows scripts from our origin only).

Wagtail's `BaseChooser.render` appends `<script>new SnippetChooser("id_x", {...});</script>` to the
widget's HTML (wagtail/admin/widgets/chooser.py; upstream wagtail#1288, #12940). This renders the
same call as an inert `<template data-qms-init="chooser" ...>` marker that qms/static/qms/js/admin.js
turns into `new window[constructor](id, options)`. Choosers with their own `render_js_init` (other
than Wagtail's task chooser) keep Wagtail's output, so the e2e CSP check reports them.
"""

from __future__ import annotations

import json

from django.utils.html import format_html


def install() -> None:
    from wagtail.admin.widgets.chooser import BaseChooser
    from wagtail.admin.widgets.workflows import AdminTaskChooser

    if getattr(BaseChooser.render, "qms_csp_safe", False):
        return  # already installed (ready() can run twice in tests)
    original_render = BaseChooser.render

    def render(self, name, value, attrs=None, renderer=None):
        own_js = type(self).render_js_init is not BaseChooser.render_js_init
        if own_js and not isinstance(self, AdminTaskChooser):
            return original_render(self, name, value, attrs=attrs, renderer=renderer)
        try:
            id_ = attrs["id"]
        except (KeyError, TypeError) as e:
            raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from e
        value_data = self.get_value_data(value)
        widget_html = self.render_html(name, value_data, attrs)
        if isinstance(self, AdminTaskChooser):  # its original script: createTaskChooser(id)
            return format_html(
                '{}<template data-qms-init="task-chooser" data-qms-target="{}"></template>', widget_html, id_
            )
        options = self.get_js_init_options(id_, name, value_data)
        return format_html(
            '{}<template data-qms-init="chooser" data-qms-constructor="{}" data-qms-target="{}"'
            ' data-qms-options="{}"></template>',
            widget_html,
            self.js_constructor,
            id_,
            json.dumps(options),
        )

    render.qms_csp_safe = True
    BaseChooser.render = render
