"""The staff-facing portal: Wagtail pages served at /, every one behind login (see wagtail_hooks)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("başlık"))
    page = blocks.PageChooserBlock(label=_("sayfa"), required=False)
    url = blocks.CharBlock(label=_("adres"), required=False, help_text=_("Sayfa seçilmezse kullanılır (ör. /admin/)."))
    description = blocks.CharBlock(label=_("açıklama"), required=False)

    class Meta:
        icon = "link"
        label = _("bağlantı")


class HomePage(Page):
    intro = models.CharField(_("giriş"), max_length=300, blank=True)
    quality_policy = RichTextField(_("kalite politikası"), features=["bold", "italic", "ol", "ul", "link"])
    links = StreamField([("link", LinkBlock())], verbose_name=_("bağlantılar"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("quality_policy"),
        FieldPanel("links"),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("ana sayfa")
        verbose_name_plural = _("ana sayfalar")


class StandardPage(Page):
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("ara başlık"))),
            ("paragraph", blocks.RichTextBlock(label=_("paragraf"))),
            ("links", blocks.ListBlock(LinkBlock(), label=_("bağlantılar"))),
        ],
        verbose_name=_("içerik"),
        blank=True,
    )

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["qms.HomePage", "qms.StandardPage"]

    class Meta:
        verbose_name = _("portal sayfası")
        verbose_name_plural = _("portal sayfaları")
