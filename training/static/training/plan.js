// Training plan and requests (no inline scripts: the CSP allows our own files only).
//
// * A form with data-trp-confirm="question" asks before it is sent (removing a plan line,
//   retiring a course); an empty question sends at once.
// * On the request form, the free-topic field is shown only while "another topic" is chosen
//   (without this script both fields stay visible, and the server checks one is filled).
(() => {
  'use strict';

  const confirmForms = () => {
    document.querySelectorAll('form[data-trp-confirm]').forEach((form) => {
      form.addEventListener('submit', (event) => {
        const question = form.dataset.trpConfirm;
        if (question && !window.confirm(question)) {
          event.preventDefault();
        }
      });
    });
  };

  const requestTopic = () => {
    const course = document.querySelector('[data-trp-request-course] select');
    const topic = document.querySelector('[data-trp-request-topic]');
    if (!course || !topic) {
      return;
    }
    const input = topic.querySelector('input');
    const update = () => {
      const free = course.value === '';
      topic.hidden = !free && !(input && input.value.trim());
    };
    course.addEventListener('change', update);
    update();
  };

  const init = () => {
    confirmForms();
    requestTopic();
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
