/*
 * The seating page: draws the seat map Python sends over the bridge (sections, rows, seats
 * in seat units), shows free / held / sold / picked seats, and asks Python to hold or
 * release seats and to find the best available ones. It makes no network requests.
 * Keyboard: arrow keys move between seats, Enter or Space picks, + / − / 0 zoom.
 * Its words and money are in the app's language (`t`, `money` from bridge.js; the words are
 * defined in boxoffice/ui/web/page_words.py).
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d'];
  var bridge = null;
  // The page's words and money in the app's language (bridge.js); English until connected.
  var t = window.BoxOfficeBridge.translator('en', {});
  var money = window.BoxOfficeBridge.moneyFormatter('en');
  var stateWords = {}; // state -> its word, looked up once
  var map = null; // MapView from Python
  var selection = {labels: [], pending: [], seconds_left: null, total: null, currency: null};
  var seats = {}; // label -> {data, node, place (its words without the state)}
  var colors = {}; // category key -> colour
  var categories = {}; // category key -> CategoryView
  var bounds = null;
  var view = null; // current viewBox {x, y, w, h}
  var focused = null; // label of the seat with tabindex 0
  var deadline = null;
  var noticeTimer = null;

  var $ = function (id) {
    return document.getElementById(id);
  };
  var svg = $('svg');
  var mapBox = $('map');

  // --- helpers -------------------------------------------------------------------------

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function stateOf(label) {
    if (selection.labels.indexOf(label) >= 0) return 'selected';
    if (selection.pending.indexOf(label) >= 0) return 'pending';
    return seats[label].data.status;
  }

  function stateWord(state) {
    if (!(state in stateWords)) stateWords[state] = t('state_' + state);
    return stateWords[state];
  }

  // A seat's place, category, price and whether it is accessible ("Stalls, row B, seat 3,
  // Stalls 40.00 EUR, accessible"): made once per map, as it does not change with the state.
  function place(seat) {
    var category = categories[seat.category];
    var values = {section: seat.section, row: seat.row, number: seat.number};
    var parts = [t(seat.section ? 'seat_place' : 'seat_place_no_section', values)];
    if (category) {
      parts.push(category.price
        ? t('seat_category_price', {category: category.name, price: money(category.price, category.currency)})
        : category.name);
    }
    if (seat.accessible) parts.push(t('seat_accessible'));
    return parts.join(', ');
  }

  function describe(label) {
    return seats[label].place + ', ' + stateWord(stateOf(label));
  }

  // --- drawing -------------------------------------------------------------------------

  function drawMap() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    seats = {};
    colors = {};
    categories = {};
    map.categories.forEach(function (category, i) {
      categories[category.key] = category;
      colors[category.key] = category.color || PALETTE[i % PALETTE.length];
    });
    if (!map.seats.length) {
      $('map-status').textContent = t('no_map');
      $('map-status').hidden = false;
      drawLegend();
      return;
    }
    $('map-status').hidden = true;
    var xs = map.seats.map(function (s) { return s.x; });
    var ys = map.seats.map(function (s) { return s.y; });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    bounds = {x: minX - 2.2, y: minY - 3.2, w: maxX - minX + 4.4, h: maxY - minY + 4.2};

    var stage = el('g', {class: 'stage', 'aria-hidden': 'true'}, svg);
    el('rect', {x: minX, y: minY - 3, width: Math.max(maxX - minX, 1), height: 1, rx: 0.3}, stage);
    el('text', {x: (minX + maxX) / 2, y: minY - 2.5, 'dominant-baseline': 'central'}, stage)
      .textContent = t('stage');

    var rows = {};
    var sections = {};
    map.seats.forEach(function (seat) {
      var rowKey = seat.section + '\u0000' + seat.row;
      var row = rows[rowKey] || (rows[rowKey] = {seat: seat, minX: seat.x, maxX: seat.x, y: seat.y});
      row.minX = Math.min(row.minX, seat.x);
      row.maxX = Math.max(row.maxX, seat.x);
      var section = sections[seat.section] || (sections[seat.section] = {minY: seat.y, minX: seat.x, maxX: seat.x});
      section.minY = Math.min(section.minY, seat.y);
      section.minX = Math.min(section.minX, seat.x);
      section.maxX = Math.max(section.maxX, seat.x);
    });
    var labels = el('g', {class: 'labels', 'aria-hidden': 'true'}, svg);
    var sectionNames = Object.keys(sections);
    if (sectionNames.length > 1) {
      sectionNames.forEach(function (name) {
        var s = sections[name];
        el('text', {class: 'section-name', x: (s.minX + s.maxX) / 2, y: s.minY - 0.85}, labels)
          .textContent = name;
      });
    }
    Object.keys(rows).forEach(function (key) {
      var row = rows[key];
      el('text', {class: 'row-name', x: row.minX - 1.1, y: row.y, 'dominant-baseline': 'central'}, labels)
        .textContent = row.seat.row;
      el('text', {class: 'row-name', x: row.maxX + 1.1, y: row.y, 'dominant-baseline': 'central'}, labels)
        .textContent = row.seat.row;
    });

    var layer = el('g', {class: 'seats'}, svg);
    map.seats.forEach(function (seat) {
      var node = el('g', {
        class: 'seat',
        role: 'button',
        tabindex: '-1',
        'data-label': seat.label,
        transform: 'translate(' + seat.x + ' ' + seat.y + ')',
      }, layer);
      el('circle', {r: 0.42, fill: colors[seat.category] || PALETTE[0]}, node);
      if (seat.accessible) el('text', {class: 'access', 'dominant-baseline': 'central'}, node).textContent = '♿';
      el('path', {class: 'mark-booked', d: 'M-0.2,-0.2L0.2,0.2M0.2,-0.2L-0.2,0.2'}, node);
      el('path', {class: 'mark-selected', d: 'M-0.2,0L-0.05,0.16L0.22,-0.16'}, node);
      el('title', {}, node);
      seats[seat.label] = {data: seat, node: node, place: place(seat)};
    });
    if (!focused || !seats[focused]) focused = map.seats[0].label;
    if (!view) fit();
    else setView(view);
    drawLegend();
    applyStates();
  }

  function drawLegend() {
    var list = $('legend-categories');
    var select = $('best-category');
    list.textContent = '';
    var chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    map.categories.forEach(function (category) {
      var item = document.createElement('li');
      var swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colors[category.key];
      item.appendChild(swatch);
      var name = document.createElement('span');
      name.className = 'legend-name';
      name.textContent = category.name;
      item.appendChild(name);
      var price = document.createElement('span');
      price.className = 'price';
      price.textContent = money(category.price, category.currency);
      item.appendChild(price);
      list.appendChild(item);
      var option = document.createElement('option');
      option.value = category.key;
      option.textContent = category.name;
      select.appendChild(option);
    });
    select.value = chosen && categories[chosen] ? chosen : '';
  }

  function applyStates() {
    Object.keys(seats).forEach(function (label) {
      var node = seats[label].node;
      var state = stateOf(label);
      node.setAttribute('class', 'seat state-' + state + (label === focused ? ' focused' : ''));
      node.setAttribute('aria-pressed', state === 'selected' ? 'true' : 'false');
      node.setAttribute('aria-disabled', state === 'booked' || state === 'held' ? 'true' : 'false');
      var text = describe(label);
      node.setAttribute('aria-label', text);
      node.setAttribute('tabindex', label === focused ? '0' : '-1');
      node.lastChild.textContent = label + ' — ' + text;
    });
  }

  function drawSelection() {
    var list = $('selected-list');
    list.textContent = '';
    selection.labels.forEach(function (label) {
      var seat = seats[label] ? seats[label].data : null;
      var category = seat ? categories[seat.category] : null;
      var item = document.createElement('li');
      var text = document.createElement('span');
      text.textContent = label + (category ? ' · ' + category.name : '');
      item.appendChild(text);
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link';
      remove.textContent = t('release');
      remove.setAttribute('aria-label', t('release_seat', {label: label}));
      remove.addEventListener('click', function () {
        toggle(label);
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    var some = selection.labels.length > 0;
    $('selection-empty').hidden = some;
    $('clear').hidden = !some;
    $('total').hidden = !some;
    $('total').textContent = some
      ? t('seat_count', {count: selection.labels.length}) +
        (selection.total !== null ? ' · ' + money(selection.total, selection.currency) : '')
      : '';
    deadline = selection.seconds_left === null ? null : Date.now() + selection.seconds_left * 1000;
    tick();
    if (map) applyStates();
  }

  function tick() {
    var countdown = $('countdown');
    if (deadline === null) {
      countdown.hidden = true;
      return;
    }
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    countdown.hidden = false;
    countdown.textContent = t('held_for', {time: minutes + ':' + (seconds < 10 ? '0' : '') + seconds});
    countdown.classList.toggle('urgent', left < 60);
  }

  function showNotice(notice) {
    var box = $('notice');
    // Errors interrupt (an alert), information waits its turn (a status).
    box.setAttribute('role', notice.level === 'error' ? 'alert' : 'status');
    box.className = 'notice ' + notice.level;
    box.hidden = false;
    $('notice-text').textContent = notice.text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () {
      box.hidden = true;
    }, notice.level === 'error' ? 12000 : 5000);
  }

  // --- zoom and pan ----------------------------------------------------------------------

  function setView(next) {
    var maxW = bounds.w * 2, minW = Math.min(6, bounds.w);
    var w = Math.min(maxW, Math.max(minW, next.w));
    var h = next.h * (w / next.w);
    view = {x: next.x + (next.w - w) / 2, y: next.y + (next.h - h) / 2, w: w, h: h};
    svg.setAttribute('viewBox', [view.x, view.y, view.w, view.h].join(' '));
  }

  function fit() {
    setView(bounds);
  }

  function zoom(factor, cx, cy) {
    if (!view) return;
    cx = cx === undefined ? view.x + view.w / 2 : cx;
    cy = cy === undefined ? view.y + view.h / 2 : cy;
    var w = view.w / factor, h = view.h / factor;
    setView({x: cx - (cx - view.x) / factor, y: cy - (cy - view.y) / factor, w: w, h: h});
  }

  function svgPoint(clientX, clientY) {
    var point = svg.createSVGPoint();
    point.x = clientX;
    point.y = clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function reveal(label) {
    var seat = seats[label].data;
    if (seat.x < view.x + 1 || seat.x > view.x + view.w - 1 || seat.y < view.y + 1 || seat.y > view.y + view.h - 1) {
      setView({x: seat.x - view.w / 2, y: seat.y - view.h / 2, w: view.w, h: view.h});
    }
  }

  var drag = null;
  mapBox.addEventListener('pointerdown', function (event) {
    drag = {x: event.clientX, y: event.clientY, view: view, moved: false};
  });
  mapBox.addEventListener('pointermove', function (event) {
    if (!drag || !view) return;
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 6) return;
    drag.moved = true;
    mapBox.classList.add('panning');
    var box = svg.getBoundingClientRect();
    var scale = Math.max(drag.view.w / box.width, drag.view.h / box.height);
    setView({x: drag.view.x - dx * scale, y: drag.view.y - dy * scale, w: drag.view.w, h: drag.view.h});
  });
  mapBox.addEventListener('pointerup', function () {
    mapBox.classList.remove('panning');
    setTimeout(function () {
      drag = null;
    }, 0);
  });
  mapBox.addEventListener('wheel', function (event) {
    event.preventDefault();
    var point = svgPoint(event.clientX, event.clientY);
    zoom(Math.pow(1.2, -event.deltaY / 100), point.x, point.y);
  }, {passive: false});

  // --- picking ---------------------------------------------------------------------------

  function toggle(label) {
    if (!bridge || !seats[label]) return;
    bridge.call('toggle_seat', {label: label});
  }

  function focusSeat(label) {
    if (!seats[label]) return;
    focused = label;
    applyStates();
    reveal(label);
    seats[label].node.focus();
  }

  function neighbour(label, dx, dy) {
    var from = seats[label].data;
    var best = null, bestScore = Infinity;
    Object.keys(seats).forEach(function (other) {
      var seat = seats[other].data;
      var ax = seat.x - from.x, ay = seat.y - from.y;
      var along = ax * dx + ay * dy;
      if (along <= 0.01) return;
      var across = Math.abs(ax * dy - ay * dx);
      var score = along + across * 3;
      if (score < bestScore) {
        bestScore = score;
        best = other;
      }
    });
    return best;
  }

  svg.addEventListener('click', function (event) {
    if (drag && drag.moved) return;
    var node = event.target.closest ? event.target.closest('.seat') : null;
    if (!node) return;
    var label = node.getAttribute('data-label');
    focused = label;
    toggle(label);
  });

  svg.addEventListener('focusin', function (event) {
    var node = event.target.closest ? event.target.closest('.seat') : null;
    if (node) focused = node.getAttribute('data-label');
  });

  var ARROWS = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]};
  mapBox.addEventListener('keydown', function (event) {
    if (!map || !focused) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      toggle(focused);
    } else if (ARROWS[event.key]) {
      event.preventDefault();
      var next = neighbour(focused, ARROWS[event.key][0], ARROWS[event.key][1]);
      if (next) focusSeat(next);
    } else if (event.key === '+' || event.key === '=') {
      zoom(1.25);
    } else if (event.key === '-') {
      zoom(0.8);
    } else if (event.key === '0') {
      fit();
    }
  });

  $('zoom-in').addEventListener('click', function () { zoom(1.25); });
  $('zoom-out').addEventListener('click', function () { zoom(0.8); });
  $('zoom-fit').addEventListener('click', fit);
  $('clear').addEventListener('click', function () {
    if (bridge) bridge.call('clear_selection', {});
  });
  $('notice-close').addEventListener('click', function () {
    $('notice').hidden = true;
  });
  $('best').addEventListener('submit', function (event) {
    event.preventDefault();
    var number = parseInt($('best-number').value, 10);
    var valid = number >= 1 && number <= 50;
    $('best-number').setAttribute('aria-invalid', valid ? 'false' : 'true');
    if (!bridge || !valid) {
      showNotice({level: 'error', text: t('best_number_error')});
      if (!valid) $('best-number').focus();
      return;
    }
    bridge.call('best_available', {
      number: number,
      category: $('best-category').value || null,
      accessible: $('best-accessible').checked,
    });
  });
  setInterval(tick, 1000);

  // --- the bridge ------------------------------------------------------------------------

  window.BoxOfficeBridge.connect(1).then(function (connected) {
    bridge = connected;
    t = bridge.t;
    money = bridge.money;
    stateWords = {};
    bridge.on('seat_map', function (data) {
      map = data;
      drawMap();
      drawSelection();
    });
    bridge.on('selection', function (data) {
      selection = data;
      drawSelection();
    });
    bridge.on('notice', showNotice);
    bridge.on('busy', function (data) {
      document.body.classList.toggle('busy', !!data.busy);
      mapBox.setAttribute('aria-busy', data.busy ? 'true' : 'false');
    });
    bridge.call('ready', {});
  }, function (err) {
    $('map-status').textContent = err.message;
  });

  // For tests and diagnostics: what the page shows right now.
  window.seatingPage = {
    state: function (label) {
      return seats[label] ? stateOf(label) : null;
    },
    labels: function () {
      return Object.keys(seats);
    },
    focused: function () {
      return focused;
    },
    selected: function () {
      return selection.labels.slice();
    },
  };
})();
