// The search page, progressively enhanced: suggestions while typing (an ARIA combobox), and the sort and
// mode controls apply at once. Without this file the page is a plain GET form.
(function () {
  'use strict';
  var input = document.querySelector('input[data-suggest]');
  var form = input && input.form;
  var submit = function (f) {
    if (f.requestSubmit) f.requestSubmit(); else f.submit();
  };

  if (input && form) {
    var list = document.getElementById(input.getAttribute('aria-controls'));
    var status = document.getElementById('q-suggest-status');
    var items = [];
    var active = -1;
    var timer = 0;
    var controller = null;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');

    // The server sends the name HTML-escaped with <mark> around matches; only text and <mark> are kept.
    var highlighted = function (html) {
      var doc = new DOMParser().parseFromString('<body>' + html, 'text/html');
      var frag = document.createDocumentFragment();
      Array.prototype.forEach.call(doc.body.childNodes, function (n) {
        if (n.nodeName === 'MARK') {
          var m = document.createElement('mark');
          m.textContent = n.textContent;
          frag.appendChild(m);
        } else {
          frag.appendChild(document.createTextNode(n.textContent || ''));
        }
      });
      return frag;
    };

    var close = function () {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    };

    var move = function (i) {
      var options = list.querySelectorAll('[role=option]');
      if (!options.length) return;
      active = (i + options.length) % options.length;
      Array.prototype.forEach.call(options, function (o, k) {
        o.setAttribute('aria-selected', k === active ? 'true' : 'false');
      });
      input.setAttribute('aria-activedescendant', options[active].id);
      options[active].scrollIntoView({ block: 'nearest' });
    };

    var choose = function (i) {
      if (!items[i]) return;
      input.value = items[i].text;
      close();
      submit(form);
    };

    var show = function (suggestions) {
      items = suggestions;
      list.textContent = '';
      active = -1;
      input.removeAttribute('aria-activedescendant');
      if (status) status.textContent = suggestions.length ? '有 ' + suggestions.length + ' 条建议,可用上下方向键选择' : '';
      if (!suggestions.length) {
        close();
        return;
      }
      suggestions.forEach(function (s, i) {
        var li = document.createElement('li');
        li.id = 'q-suggestion-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        var name = document.createElement('span');
        name.className = 'suggestion-name';
        name.appendChild(highlighted(s.html));
        var meta = document.createElement('span');
        meta.className = 'suggestion-meta';
        meta.textContent = [s.agency, s.code].filter(Boolean).join(' · ');
        li.appendChild(name);
        li.appendChild(meta);
        // mousedown, not click: the input must not lose focus (and close the list) first.
        li.addEventListener('mousedown', function (e) {
          e.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    };

    var fetchSuggestions = function (q) {
      if (controller) controller.abort();
      controller = typeof AbortController === 'function' ? new AbortController() : null;
      fetch('/api/v1/search/suggest?q=' + encodeURIComponent(q), {
        headers: { accept: 'application/json' }, credentials: 'same-origin', signal: controller ? controller.signal : undefined,
      }).then(function (res) {
        return res.ok ? res.json() : { suggestions: [] };
      }).then(function (body) {
        // A late answer for an older text is dropped.
        if (input.value.trim() === q && document.activeElement === input) show(body.suggestions || []);
      }).catch(function () { /* suggestions are a convenience; the form still works */ });
    };

    input.addEventListener('input', function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) {
        if (controller) controller.abort();
        show([]);
        return;
      }
      timer = setTimeout(function () { fetchSuggestions(q.slice(0, 50)); }, 200);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'Down') {
        if (!items.length) return;
        e.preventDefault();
        if (list.hidden) {
          list.hidden = false;
          input.setAttribute('aria-expanded', 'true');
        }
        move(active + 1);
      } else if (e.key === 'ArrowUp' || e.key === 'Up') {
        if (list.hidden || !items.length) return;
        e.preventDefault();
        move(active - 1);
      } else if (e.key === 'Enter') {
        if (!list.hidden && active >= 0) {
          e.preventDefault();
          choose(active);
        }
      } else if (e.key === 'Escape' || e.key === 'Esc') {
        if (!list.hidden) {
          e.preventDefault();
          close();
        }
      }
    });
    input.addEventListener('blur', function () {
      close();
    });
  }

  // Sort applies at once; its 应用 button is for pages without this script.
  Array.prototype.forEach.call(document.querySelectorAll('select[data-autosubmit]'), function (sel) {
    var button = document.querySelector('[data-apply-for="' + sel.id + '"]');
    if (button) button.hidden = true;
    sel.addEventListener('change', function () {
      var f = sel.form;
      if (f) submit(f);
    });
  });
  // Switching 全部 / 信息项 re-runs the current query.
  Array.prototype.forEach.call(document.querySelectorAll('input[data-resubmit]'), function (radio) {
    radio.addEventListener('change', function () {
      if (radio.form && input && input.value.trim()) submit(radio.form);
    });
  });
})();
