// Portal additions to Wagtail's admin (loaded on every admin page; no inline scripts, see CSP).
//
// Our Content Security Policy allows scripts from our own origin only, so the few Wagtail
// templates that start a widget from an inline <script> are overridden in
// templates/wagtailadmin/ to leave an inert marker instead:
//
//   <template data-qms-init="date-chooser" data-qms-target="id_x" data-qms-config="{...}">
//   <template data-qms-init="inline-panel" data-qms-options="{...}">
//
// Wagtail's chooser widgets write their inline script from Python (BaseChooser.render);
// qms/admin_csp.py makes them render the same kind of marker.
//
// This file makes the same call the inline script made, once per marker, when the marker
// enters the document (a MutationObserver reports it: while the page is parsed, and later for a
// child form added to an InlinePanel or a form loaded into a modal).
//
// It also names two kinds of field Wagtail leaves without an accessible name (see nameField).
(() => {
  'use strict';

  const SELECTOR = 'template[data-qms-init]';

  const readJSON = (text) => (text ? JSON.parse(text) : {});

  // Chooser widgets name their class (SnippetChooser, PageChooser, ImageChooser, ...). Only a
  // global *Chooser constructor may be called this way, never an arbitrary global function.
  const chooserClass = (name) => {
    if (!/^[A-Z][A-Za-z]*Chooser$/.test(name || '') || typeof window[name] !== 'function') {
      throw new Error(`not a chooser class: ${name}`);
    }
    return window[name];
  };

  // Each entry repeats exactly what Wagtail's original inline script did.
  const INITIALISERS = {
    // wagtailadmin/widgets/date_input.html
    'date-chooser': (el) =>
      window.initDateChooser(el.dataset.qmsTarget, readJSON(el.dataset.qmsConfig)),
    // wagtailadmin/widgets/datetime_input.html
    'datetime-chooser': (el) =>
      window.initDateTimeChooser(el.dataset.qmsTarget, readJSON(el.dataset.qmsConfig)),
    // wagtailadmin/widgets/time_input.html
    'time-chooser': (el) =>
      window.initTimeChooser(el.dataset.qmsTarget, readJSON(el.dataset.qmsConfig)),
    // Chooser widgets (qms/admin_csp.py; Wagtail's BaseChooser.render wrote
    // <script>new SnippetChooser(id, options);</script>)
    chooser: (el) => {
      const Chooser = chooserClass(el.dataset.qmsConstructor);
      return new Chooser(el.dataset.qmsTarget, readJSON(el.dataset.qmsOptions));
    },
    // The workflow task chooser (its script was createTaskChooser(id)).
    'task-chooser': (el) => window.createTaskChooser(el.dataset.qmsTarget),
    // wagtailadmin/panels/inline_panel.html
    'inline-panel': (el) => new window.InlinePanel(readJSON(el.dataset.qmsOptions)),
    // wagtailadmin/panels/multiple_chooser_panel.html
    'multiple-chooser-panel': (el) =>
      new window.MultipleChooserPanel(readJSON(el.dataset.qmsOptions)),
  };

  // Markers already handled. A WeakSet, not an attribute: InlinePanel re-inserts child forms
  // when they are reordered, and that must not start a widget twice.
  const done = new WeakSet();

  const initialise = (el) => {
    if (done.has(el)) return;
    done.add(el);
    const kind = el.dataset.qmsInit;
    const init = INITIALISERS[kind];
    if (!init) {
      // eslint-disable-next-line no-console
      console.error(`qms: unknown data-qms-init="${kind}"`, el);
      return;
    }
    // A marker inside the empty-form template still has "__prefix__" in its ids; Wagtail
    // substitutes them when it adds the form, and the copy is initialised then.
    if ((el.dataset.qmsTarget || '').includes('__prefix__')) return;
    try {
      init(el);
      // A status for people and tests (the WeakSet above is what prevents a second start).
      el.dataset.qmsInitialised = 'true';
    } catch (error) {
      // One broken widget must not stop the others on the page.
      // eslint-disable-next-line no-console
      console.error(`qms: could not initialise ${kind}`, el, error);
    }
  };

  // Two kinds of field Wagtail renders without an accessible name, which a screen reader then
  // announces as an unnamed text box (axe rules aria-input-field-name and label, WCAG 4.1.2):
  // - Draftail, the rich text editor: its editable area has role="textbox" but no name; the
  //   <label for> points at the hidden input that holds the value.
  // - the only field of a StreamField block (a heading, a paragraph): no label at all; the block
  //   type shown in the block's header ("heading") is its name.
  const RICH_TEXT = '.public-DraftEditor-content[role="textbox"]';
  const FIELD = `[data-field-input] :is(input:not([type="hidden"]), select, textarea), ${RICH_TEXT}`;

  const ensureId = (el, id) => {
    if (!el.id) el.id = id;
    return el.id;
  };

  const labelOf = (control) => {
    if (control.matches(RICH_TEXT)) {
      const input = control
        .closest('[data-field-input]')
        ?.querySelector('input[type="hidden"][id]');
      const label = input && document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
      if (label) return ensureId(label, `${input.id}-qms-label`);
    }
    const section = control.closest('[data-streamfield-child] section[aria-labelledby]');
    const heading = section && document.getElementById(section.getAttribute('aria-labelledby'));
    const type = heading?.querySelector('.c-sf-block__type');
    return type ? ensureId(type, `${heading.id}-qms-type`) : null;
  };

  const nameField = (control) => {
    if (control.hasAttribute('aria-label') || control.hasAttribute('aria-labelledby')) return;
    if (control.labels && control.labels.length) return;
    const labelId = labelOf(control);
    if (labelId) control.setAttribute('aria-labelledby', labelId);
  };

  const scan = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.matches(SELECTOR)) initialise(node);
    node.querySelectorAll(SELECTOR).forEach(initialise);
    if (node.matches(FIELD)) nameField(node);
    node.querySelectorAll(FIELD).forEach(nameField);
  };

  // Start each marker as soon as the parser has inserted it, as the inline script it replaces
  // ran at that point: before DOMContentLoaded, when Wagtail's Stimulus controllers connect
  // (the w-dropdown of a chooser moves its "choose another" button out of the chooser, after
  // which the chooser could no longer find it). This file is loaded before the page content,
  // and the widget scripts (date-time-chooser.js, chooser-widget.js ...) come before it too.
  // The same observer then serves markers that arrive later (a form added to an InlinePanel,
  // a form loaded into a modal). The scan at DOMContentLoaded is a safety net.
  new MutationObserver((mutations) => {
    mutations.forEach((mutation) => mutation.addedNodes.forEach(scan));
  }).observe(document.documentElement, { childList: true, subtree: true });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => scan(document.documentElement), { once: true });
  } else {
    scan(document.documentElement);
  }
})();
