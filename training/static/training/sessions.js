// Training sessions: the attendance screen, the check-in screen and the session form.
//
// Every screen works without this script: "All present" is then a submit button that marks
// everyone present on the page the server sends back, a walk-in is named in a text field, and
// the check-in screen shows the code of the moment it was loaded. The script makes them faster:
// "All present" marks the rows at once, walk-ins are found by name as one types, and the
// check-in screen refreshes its code and its list every few seconds.
(() => {
  'use strict';

  const debounce = (fn, ms) => {
    let timer = null;
    return (...args) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => fn(...args), ms);
    };
  };

  // --- the attendance screen ------------------------------------------------------------------

  const initAttendance = (form) => {
    const rowsBox = form.querySelector('[data-rows]');
    const announce = form.querySelector('[data-announce]');
    const template = form.querySelector('#walk-in-row-template');

    const say = (text) => {
      if (announce) {
        announce.textContent = '';
        window.setTimeout(() => { announce.textContent = text; }, 50);
      }
    };

    const updateCounts = () => {
      const counts = { present: 0, absent: 0, excused: 0, pending: 0 };
      const rows = rowsBox.querySelectorAll('[data-row]');
      rows.forEach((row) => {
        const checked = row.querySelector('input[data-mark]:checked');
        counts[checked ? checked.value : 'pending'] += 1;
        const pending = row.querySelector('[data-pending]');
        if (pending) {
          pending.hidden = Boolean(checked);
        }
      });
      Object.entries({ ...counts, total: rows.length }).forEach(([key, count]) => {
        form.querySelectorAll(`[data-count="${key}"]`).forEach((el) => { el.textContent = String(count); });
      });
    };

    // Keep the counts and "All present" below Wagtail's sticky page header while scrolling.
    const header = document.querySelector('main .w-sticky.w-top-0') || document.querySelector('header.w-slim-header');
    if (header && window.ResizeObserver) {
      const place = () => {
        const sticky = ['sticky', 'fixed'].includes(window.getComputedStyle(header).position);
        form.style.setProperty('--attendance-bar-top', `${sticky ? header.getBoundingClientRect().height : 0}px`);
      };
      new window.ResizeObserver(place).observe(header);
      place();
    }

    form.addEventListener('change', (event) => {
      if (event.target.matches('input[data-mark]')) {
        updateCounts();
      }
    });

    // A walk-in added by mistake comes off again (nothing was saved for them yet).
    const showUndo = (root) => root.querySelectorAll('[data-undo-walk-in]').forEach((b) => { b.hidden = false; });
    showUndo(rowsBox);
    rowsBox.addEventListener('click', (event) => {
      const undo = event.target.closest('[data-undo-walk-in]');
      if (undo) {
        undo.closest('[data-row]').remove();
        updateCounts();
        const search = form.querySelector('[data-walkin-search]');
        if (search) {
          search.focus();
        }
      }
    });

    const allPresent = form.querySelector('[data-all-present]');
    if (allPresent) {
      allPresent.addEventListener('click', (event) => {
        event.preventDefault();
        const radios = rowsBox.querySelectorAll('input[data-mark][value="present"]');
        radios.forEach((radio) => { radio.checked = true; });
        updateCounts();
        say(allPresent.dataset.done || `${radios.length} ✓`);
      });
    }

    // Test scores: hidden until asked for (always shown without the script, or when any is set).
    const toggle = form.querySelector('[data-toggle-scores]');
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener('click', () => {
        const show = toggle.getAttribute('aria-pressed') !== 'true';
        toggle.setAttribute('aria-pressed', show ? 'true' : 'false');
        rowsBox.classList.toggle('attendance-rows--no-scores', !show);
      });
    } else {
      rowsBox.classList.remove('attendance-rows--no-scores');
    }

    // Walk-ins: search active staff by name as one types; a chosen person becomes a new row.
    const walkin = form.querySelector('[data-walkin]');
    const search = form.querySelector('[data-walkin-search]');
    const results = form.querySelector('[data-walkin-results]');
    const status = form.querySelector('[data-walkin-status]');
    const lookup = form.querySelector('[data-walkin-lookup]');
    const url = form.dataset.searchUrl;
    if (!walkin || !search || !results || !template || !url) {
      return;
    }
    walkin.hidden = false;
    if (lookup && !lookup.querySelector('input').value) {
      lookup.hidden = true;
    }
    const messages = {
      none: walkin.dataset.none || '—',
      found: walkin.dataset.found || '{count}',
      onList: walkin.dataset.onList || '',
      added: walkin.dataset.added || '{name}',
      add: walkin.dataset.add || '+',
      error: walkin.dataset.error || '!',
    };

    const addRow = (person) => {
      const existing = rowsBox.querySelector(`[data-row][data-pid="${person.id}"]`);
      if (existing) {
        existing.scrollIntoView({ block: 'center' });
        existing.querySelector('input[data-mark]').focus();
        say(messages.onList.replace('{name}', person.name));
        return;
      }
      const clone = template.content.firstElementChild.cloneNode(true);
      const pid = String(person.id);
      [clone, ...clone.querySelectorAll('*')].forEach((el) => {
        [...el.attributes].forEach((attr) => {
          if (attr.value.includes('__pid__')) {
            el.setAttribute(attr.name, attr.value.replaceAll('__pid__', pid));
          }
        });
      });
      clone.querySelectorAll('[data-name]').forEach((el) => { el.textContent = person.name; });
      const meta = clone.querySelector('[data-meta]');
      if (meta) {
        meta.textContent = [person.unit, person.title, person.registry_no].filter(Boolean).join(' · ');
      }
      const empty = rowsBox.querySelector('[data-empty]');
      if (empty) {
        empty.remove();
      }
      rowsBox.appendChild(clone);
      showUndo(clone);
      updateCounts();
      clone.scrollIntoView({ block: 'center' });
      const checked = clone.querySelector('input[data-mark]:checked') || clone.querySelector('input[data-mark]');
      checked.focus();
      say(messages.added.replace('{name}', person.name));
    };

    const show = (people) => {
      results.replaceChildren();
      people.forEach((person) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        const name = document.createElement('strong');
        name.textContent = person.name;
        const detail = document.createElement('span');
        detail.className = 'session-muted';
        detail.textContent = [person.unit, person.registry_no].filter(Boolean).join(' · ')
          + (person.on_list ? ` — ${messages.onList.replace('{name}', '').trim()}` : '');
        const verb = document.createElement('span');
        verb.className = 'w-sr-only';
        verb.textContent = `${messages.add}: `;
        button.append(verb, name, detail);
        button.addEventListener('click', () => {
          addRow(person);
          results.replaceChildren();
          search.value = '';
          status.textContent = '';
        });
        li.appendChild(button);
        results.appendChild(li);
      });
      status.textContent = people.length ? messages.found.replace('{count}', String(people.length)) : messages.none;
      if (results.lastElementChild) {
        results.lastElementChild.scrollIntoView({ block: 'nearest' });
      }
    };

    let latest = 0;
    const run = debounce(async () => {
      const text = search.value.trim();
      if (text.length < 2) {
        results.replaceChildren();
        status.textContent = '';
        return;
      }
      const ticket = ++latest;
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(text)}`, {
          headers: { Accept: 'application/json' }, credentials: 'same-origin',
        });
        const data = await response.json();
        if (ticket === latest) {
          show(data.results || []);
        }
      } catch (error) {
        status.textContent = messages.error;
      }
    }, 250);
    search.addEventListener('input', run);
    search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault(); // Enter in the search box must not submit the attendance
        const first = results.querySelector('button');
        if (first) {
          first.click();
        }
      }
    });
    updateCounts();
  };

  // --- the check-in screen --------------------------------------------------------------------

  const initCheckin = (screen) => {
    const stateUrl = screen.dataset.stateUrl;
    const pollMs = Number(screen.dataset.pollSeconds || 3) * 1000;
    const img = screen.querySelector('[data-checkin-qr]');
    const urlText = screen.querySelector('[data-checkin-url]');
    const list = screen.querySelector('[data-checkin-list]');
    const windowText = screen.querySelector('[data-checkin-window]');
    const countdown = screen.querySelector('[data-checkin-countdown]');
    let code = null;
    let html = list ? list.innerHTML : '';
    let secondsLeft = null;

    const refresh = async () => {
      if (document.hidden) {
        return;
      }
      try {
        const response = await fetch(stateUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (!response.ok) {
          return;
        }
        const state = await response.json();
        if (state.code !== code) {
          if (code !== null) {
            img.src = state.qr_url;
          }
          code = state.code;
          urlText.textContent = state.url;
        }
        secondsLeft = state.seconds_left;
        if (windowText) {
          windowText.classList.toggle('checkin-window--closed', !state.open);
        }
        if (state.html !== html && !list.contains(document.activeElement)) {
          html = state.html;
          list.innerHTML = state.html; // rendered and escaped by the server's template
        }
      } catch (error) {
        // A missed poll is retried at the next tick.
      }
    };

    window.setInterval(() => {
      if (countdown && secondsLeft !== null) {
        secondsLeft = Math.max(secondsLeft - 1, 0);
        countdown.textContent = `(${secondsLeft} s)`;
      }
    }, 1000);

    // Confirm buttons post in the background, then the list is refreshed.
    list.addEventListener('submit', async (event) => {
      const formEl = event.target.closest('form[data-checkin-confirm]');
      if (!formEl) {
        return;
      }
      event.preventDefault();
      try {
        await fetch(formEl.action, {
          method: 'POST', body: new FormData(formEl), credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        });
      } finally {
        list.focus();
        await refresh();
      }
    });
    list.tabIndex = -1;

    refresh();
    window.setInterval(refresh, pollMs);
  };

  // --- the session form -------------------------------------------------------------------------

  const initSessionForm = (form) => {
    const course = form.querySelector('select[name="course"]');
    const hours = form.querySelector('input[name="hours"]');
    const planItem = form.querySelector('select[name="plan_item"]');
    if (!course) {
      return;
    }
    const filterPlan = () => {
      if (!planItem) {
        return;
      }
      planItem.querySelectorAll('option[data-course]').forEach((option) => {
        const other = Boolean(course.value) && option.dataset.course !== course.value;
        option.hidden = other;
        option.disabled = other;
        if (other && option.selected) {
          planItem.value = '';
        }
      });
    };
    let lastDefault = course.selectedOptions[0] ? course.selectedOptions[0].dataset.hours : '';
    course.addEventListener('change', () => {
      const option = course.selectedOptions[0];
      const fresh = option ? option.dataset.hours || '' : '';
      if (hours && (!hours.value || hours.value === lastDefault)) {
        hours.value = fresh;
      }
      lastDefault = fresh;
      filterPlan();
    });
    if (planItem) {
      planItem.addEventListener('change', () => {
        const option = planItem.selectedOptions[0];
        if (option && option.dataset.course && course.value !== option.dataset.course) {
          course.value = option.dataset.course;
          course.dispatchEvent(new Event('change'));
        }
      });
    }
    filterPlan();
  };

  const init = () => {
    document.querySelectorAll('form[data-attendance-form]').forEach(initAttendance);
    document.querySelectorAll('[data-checkin-screen]').forEach(initCheckin);
    document.querySelectorAll('form[data-session-form]').forEach(initSessionForm);
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
