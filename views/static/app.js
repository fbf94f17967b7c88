// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Printable documents: a print button (hidden without scripts; the browser's own print works anyway).
  Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
  // Keep the format-type list to the types of the chosen category.
  var cat = document.querySelector('[data-format-category]');
  var type = document.querySelector('[data-format-type]');
  if (cat && type) {
    var sync = function () {
      var c = cat.value;
      Array.prototype.forEach.call(type.options, function (o) {
        var own = o.getAttribute('data-category');
        o.hidden = !!own && !!c && own !== c;
        if (own) o.textContent = c ? o.value : own + ' · ' + o.value;
      });
      var chosen = type.options[type.selectedIndex];
      if (chosen && chosen.hidden) type.value = '';
    };
    cat.addEventListener('change', sync);
    sync();
  }
  // Add data item rows by cloning the last row with the next number.
  var add = document.querySelector('[data-add-item]');
  var body = document.querySelector('[data-items] tbody');
  if (add && body) {
    add.hidden = false;
    add.addEventListener('click', function () {
      var rows = body.querySelectorAll('[data-item-row]');
      var last = rows[rows.length - 1];
      var n = rows.length;
      var clone = last.cloneNode(true);
      clone.className = '';
      clone.querySelector('td').textContent = String(n + 1);
      Array.prototype.forEach.call(clone.querySelectorAll('input, select'), function (el) {
        el.name = el.name.replace(/_\d+$/, '_' + n);
        if (el.type === 'checkbox') el.checked = false; else el.value = '';
      });
      body.appendChild(clone);
    });
  }
})();
