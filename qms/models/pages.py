"""The staff-facing portal: Wagtail pages served at /, every one behind login (see wagtail_hooks)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"))
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.CharBlock(
        label=_("address"), required=False, help_text=_("Used when no page is chosen (e.g. /admin/).")
    )
    description = blocks.CharBlock(label=_("description"), required=False)

    class Meta:
        icon = "link"
        label = _("link")


class HomePage(Page):
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    quality_policy = RichTextField(_("quality policy"), features=["bold", "italic", "ol", "ul", "link"])
    links = StreamField([("link", LinkBlock())], verbose_name=_("links"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("quality_policy"),
        FieldPanel("links"),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class StandardPage(Page):
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("paragraph"))),
            ("links", blocks.ListBlock(LinkBlock(), label=_("links"))),
        ],
        verbose_name=_("content"),
        blank=True,
    )

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["qms.HomePage", "qms.StandardPage"]

    class Meta:
        verbose_name = _("portal page")
        verbose_name_plural = _("portal pages")
