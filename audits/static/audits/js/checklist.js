// The checklist screen: show the severity (and clause) select of a question only while its
// answer is "nonconforming". Without this script both stay visible and are ignored for other
// answers, so the page works without JavaScript.
(() => {
  'use strict';

  const NONCONFORMING = 'nonconforming';

  const update = (card) => {
    const checked = card.querySelector('input[data-audit-result]:checked');
    const show = checked !== null && checked.value === NONCONFORMING;
    card.querySelectorAll('[data-audit-severity], [data-audit-clause]').forEach((field) => {
      field.hidden = !show;
    });
  };

  const init = () => {
    document.querySelectorAll('.audit-question').forEach((card) => {
      if (!card.querySelector('input[data-audit-result]')) {
        return;
      }
      update(card);
      card.addEventListener('change', (event) => {
        if (event.target.matches('input[data-audit-result]')) {
          update(card);
        }
      });
    });
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
