/*
 * The seating page: draws the seat map Python sends over the bridge (sections, rows, seats
 * in seat units), shows free / held / sold / picked seats, and asks Python to hold or
 * release seats and to find the best available ones. It makes no network requests.
 * Keyboard: arrow keys move between seats, Enter or Space picks, + / − / 0 zoom.
 * Its words and money are in the app's language (`t`, `money` from bridge.js; the words are
 * defined in boxoffice/ui/web/page_words.py).
 *
 * Sized for stadiums (50,000 seats): only the seats in view have a node (one SVG circle
 * each: its state a CSS class, the sold / picked marks pattern fills, its words made when
 * the node is); a change of the selection or of the map redraws only the seats whose state
 * changed. Zoomed out so far that seats would be a few pixels wide, the map shows each
 * section as a block with its free seats instead (a click on it zooms in).
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d'];
  var MARGIN = 0.1; // seats this far (a share of the view) outside it have their nodes too
  var OVERVIEW_PX = 10; // below this many pixels per seat the sections are shown as blocks
  var READABLE_PX = 18; // pixels per seat when zooming in to a seat or a section
  var bridge = null;
  // The page's words and money in the app's language (bridge.js); English until connected.
  var t = window.BoxOfficeBridge.translator('en', {});
  var money = window.BoxOfficeBridge.moneyFormatter('en');
  var stateWords = {}; // state -> its word, looked up once
  var map = null; // MapView from Python
  var selection = {labels: [], pending: [], seconds_left: null, total: null, currency: null};
  var picked = {}; // label -> true: selection.labels
  var waiting = {}; // label -> true: selection.pending
  // label -> {data, state (as shown), and while it is in view: node, access (its ♿ node),
  // title (its tooltip, once pointed at)}
  var seats = {};
  var shown = {}; // label -> true: the seats with nodes (in view, and the focused one)
  var layer = null; // the seats' <g>
  var marks = null; // the ♿ marks' <g>
  var sections = {}; // section name -> {free, count (its text node), ...bounds}
  var colors = {}; // category key -> colour
  var categories = {}; // category key -> CategoryView
  var bounds = null;
  var view = null; // current viewBox {x, y, w, h}
  var focused = null; // label of the seat with tabindex 0
  var deadline = null;
  var noticeTimer = null;
  // Maps drawn; seats redrawn since the last map; milliseconds the last map took to show.
  var stats = {maps: 0, touched: 0, drawMs: 0};

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
    if (picked[label]) return 'selected';
    if (waiting[label]) return 'pending';
    return seats[label].data.status;
  }

  function stateWord(state) {
    if (!(state in stateWords)) stateWords[state] = t('state_' + state);
    return stateWords[state];
  }

  // A category's words ("Stalls 40.00 EUR"), made once per map.
  function categoryWords(key) {
    var category = categories[key];
    if (!category) return null;
    if (!(key in categoryWords.made)) {
      categoryWords.made[key] = category.price
        ? t('seat_category_price', {category: category.name, price: money(category.price, category.currency)})
        : category.name;
    }
    return categoryWords.made[key];
  }
  categoryWords.made = {};

  // A seat's place, category, price and whether it is accessible ("Stalls, row B, seat 3,
  // Stalls 40.00 EUR, accessible"): it does not change with the state.
  function place(seat) {
    var values = {section: seat.section, row: seat.row, number: seat.number};
    var parts = [t(seat.section ? 'seat_place' : 'seat_place_no_section', values)];
    var category = categoryWords(seat.category);
    if (category) parts.push(category);
    if (seat.accessible) parts.push(t('seat_accessible'));
    return parts.join(', ');
  }

  function describe(label) {
    return place(seats[label].data) + ', ' + stateWord(seats[label].state);
  }

  // The seat's spoken words and state, for assistive technology.
  function speak(seat, label) {
    var state = seat.state;
    seat.node.setAttribute('aria-label', describe(label));
    seat.node.setAttribute('aria-pressed', state === 'selected' ? 'true' : 'false');
    seat.node.setAttribute('aria-disabled', state === 'booked' || state === 'held' ? 'true' : 'false');
  }

  // A node for the seat `label` (it came into view, or the keyboard reached it).
  function makeNode(label) {
    var seat = seats[label];
    var data = seat.data;
    var node = document.createElementNS(SVG_NS, 'circle');
    node.setAttribute('class', 'seat state-' + seat.state + (label === focused ? ' focused' : ''));
    node.setAttribute('cx', data.x);
    node.setAttribute('cy', data.y);
    node.setAttribute('fill', colors[data.category] || PALETTE[0]);
    node.setAttribute('role', 'button');
    node.setAttribute('data-label', label);
    if (label === focused) node.setAttribute('tabindex', '0');
    seat.node = node;
    speak(seat, label);
    layer.appendChild(node);
    if (data.accessible) {
      var access = document.createElementNS(SVG_NS, 'text');
      access.setAttribute('class', 'access state-' + seat.state);
      access.setAttribute('x', data.x);
      access.setAttribute('y', data.y);
      access.textContent = '♿';
      marks.appendChild(access);
      seat.access = access;
    }
    shown[label] = true;
  }

  function dropNode(label) {
    var seat = seats[label];
    seat.node.remove();
    if (seat.access) seat.access.remove();
    seat.node = seat.access = seat.title = null;
    delete shown[label];
  }

  // Nodes for the seats in view (and a margin around it) and the focused one, no others:
  // a stadium's 50,000 seats are never all in the page at once. Zoomed out to the
  // sections' blocks, only the focused seat has one (Tab reaches the map through it).
  function syncNodes() {
    if (!layer || !view) return;
    var keep = {};
    if (focused && seats[focused]) keep[focused] = true;
    var box = svg.getBoundingClientRect();
    var scale = Math.min(box.width / view.w, box.height / view.h);
    if (!svg.classList.contains('overview')) {
      // What the SVG shows: the view box, widened on one side by "meet".
      var w = scale > 0 ? box.width / scale : view.w, h = scale > 0 ? box.height / scale : view.h;
      var x0 = view.x + (view.w - w) / 2 - w * MARGIN - 1, x1 = x0 + w * (1 + 2 * MARGIN) + 2;
      var y0 = view.y + (view.h - h) / 2 - h * MARGIN - 1, y1 = y0 + h * (1 + 2 * MARGIN) + 2;
      var list = map.seats;
      for (var i = 0; i < list.length; i++) {
        var seat = list[i];
        if (seat.x >= x0 && seat.x <= x1 && seat.y >= y0 && seat.y <= y1) keep[seat.label] = true;
      }
    }
    Object.keys(shown).forEach(function (label) {
      if (!keep[label]) dropNode(label);
    });
    Object.keys(keep).forEach(function (label) {
      if (!shown[label]) makeNode(label);
    });
  }

  // Show `label` in its current state, if that changed: the one place a seat is redrawn.
  function refresh(label) {
    var seat = seats[label];
    if (!seat) return;
    var state = stateOf(label);
    if (state === seat.state) return;
    var section = sections[seat.data.section];
    if (seat.state === 'free') section.free -= 1;
    if (state === 'free') section.free += 1;
    section.dirty = true;
    seat.state = state;
    stats.touched += 1;
    if (!seat.node) return;
    seat.node.setAttribute('class', 'seat state-' + state + (label === focused ? ' focused' : ''));
    if (seat.access) seat.access.setAttribute('class', 'access state-' + state);
    speak(seat, label);
    if (seat.title) seat.title.textContent = label + ' — ' + describe(label);
  }

  function showFreeCounts() {
    Object.keys(sections).forEach(function (name) {
      var section = sections[name];
      if (!section.dirty) return;
      section.dirty = false;
      if (section.count) section.count.textContent = t('section_free', {count: section.free});
    });
  }

  // --- drawing -------------------------------------------------------------------------

  function drawMap() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    seats = {};
    shown = {};
    layer = marks = null;
    sections = {};
    colors = {};
    categories = {};
    categoryWords.made = {};
    stats.maps += 1;
    stats.touched = 0;
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
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    var rows = {};
    map.seats.forEach(function (seat) {
      if (seat.x < minX) minX = seat.x;
      if (seat.x > maxX) maxX = seat.x;
      if (seat.y < minY) minY = seat.y;
      if (seat.y > maxY) maxY = seat.y;
      var rowKey = seat.section + '\u0000' + seat.row;
      var row = rows[rowKey] || (rows[rowKey] = {seat: seat, minX: seat.x, maxX: seat.x, y: seat.y});
      if (seat.x < row.minX) row.minX = seat.x;
      if (seat.x > row.maxX) row.maxX = seat.x;
      var section = sections[seat.section] || (sections[seat.section] = {
        minY: seat.y, maxY: seat.y, minX: seat.x, maxX: seat.x, free: 0, category: seat.category,
        count: null, dirty: true,
      });
      if (seat.y < section.minY) section.minY = seat.y;
      if (seat.y > section.maxY) section.maxY = seat.y;
      if (seat.x < section.minX) section.minX = seat.x;
      if (seat.x > section.maxX) section.maxX = seat.x;
    });
    bounds = {x: minX - 2.2, y: minY - 3.2, w: maxX - minX + 4.4, h: maxY - minY + 4.2};

    var defs = el('defs', {}, svg);
    // The sold and picked marks, drawn inside a seat's circle by its fill (seat box units).
    var sold = el('pattern', {id: 'mark-booked', width: 1, height: 1, patternContentUnits: 'objectBoundingBox'}, defs);
    el('rect', {class: 'mark-fill', width: 1, height: 1}, sold);
    el('path', {class: 'mark', d: 'M0.28,0.28L0.72,0.72M0.72,0.28L0.28,0.72'}, sold);
    var chosen = el('pattern', {id: 'mark-selected', width: 1, height: 1, patternContentUnits: 'objectBoundingBox'}, defs);
    el('rect', {class: 'mark-fill', width: 1, height: 1}, chosen);
    el('path', {class: 'mark', d: 'M0.26,0.5L0.44,0.69L0.76,0.31'}, chosen);

    var stage = el('g', {class: 'stage', 'aria-hidden': 'true'}, svg);
    el('rect', {x: minX, y: minY - 3, width: Math.max(maxX - minX, 1), height: 1, rx: 0.3}, stage);
    el('text', {x: (minX + maxX) / 2, y: minY - 2.5, 'dominant-baseline': 'central'}, stage)
      .textContent = t('stage');

    var labels = el('g', {class: 'labels', 'aria-hidden': 'true'}, svg);
    var sectionNames = Object.keys(sections);
    // Zoomed out: each section a block with its name and free seats (mouse only: the
    // keyboard moves between seats, and the map zooms in to the seat it reaches).
    var blocks = el('g', {class: 'blocks', 'aria-hidden': 'true'}, svg);
    sectionNames.forEach(function (name) {
      var s = sections[name];
      var w = s.maxX - s.minX + 1, h = s.maxY - s.minY + 1;
      var size = Math.max(0.8, Math.min(w / 6, h / 3));
      if (sectionNames.length > 1) {
        el('text', {class: 'section-name', x: (s.minX + s.maxX) / 2, y: s.minY - 0.85}, labels)
          .textContent = name;
      }
      var block = el('g', {class: 'block', 'data-section': name}, blocks);
      el('rect', {x: s.minX - 0.5, y: s.minY - 0.5, width: w, height: h, rx: 0.6,
        fill: colors[s.category] || PALETTE[0]}, block);
      el('text', {class: 'block-name', x: (s.minX + s.maxX) / 2, y: (s.minY + s.maxY) / 2 - size * 0.45,
        'font-size': size}, block).textContent = name;
      s.count = el('text', {class: 'block-free', x: (s.minX + s.maxX) / 2, y: (s.minY + s.maxY) / 2 + size * 0.7,
        'font-size': size * 0.8}, block);
    });
    Object.keys(rows).forEach(function (key) {
      var row = rows[key];
      el('text', {class: 'row-name', x: row.minX - 1.1, y: row.y}, labels).textContent = row.seat.row;
      el('text', {class: 'row-name', x: row.maxX + 1.1, y: row.y}, labels).textContent = row.seat.row;
    });

    map.seats.forEach(function (seat) {
      var state = initialState(seat);
      if (state === 'free') sections[seat.section].free += 1;
      seats[seat.label] = {data: seat, state: state, node: null, access: null, title: null};
    });
    layer = el('g', {class: 'seats'}, svg);
    marks = el('g', {class: 'access-marks', 'aria-hidden': 'true'}, svg);
    if (!focused || !seats[focused]) focused = map.seats[0].label;
    if (!view) fit();
    else setView(view);
    drawLegend();
    showFreeCounts();
  }

  // A seat's state while the map is drawn (`seats` does not have it yet).
  function initialState(seat) {
    if (picked[seat.label]) return 'selected';
    if (waiting[seat.label]) return 'pending';
    return seat.status;
  }

  // The same seats with new statuses (the map read again): only the changed ones redrawn.
  function sameSeats(next) {
    if (!map || next.event_id !== map.event_id || next.seats.length !== map.seats.length) return false;
    if (JSON.stringify(next.categories) !== JSON.stringify(map.categories)) return false;
    for (var i = 0; i < next.seats.length; i++) {
      var a = next.seats[i], b = map.seats[i];
      if (a.label !== b.label || a.x !== b.x || a.y !== b.y || a.category !== b.category ||
          a.section !== b.section || a.row !== b.row || a.number !== b.number ||
          a.accessible !== b.accessible) return false;
    }
    return true;
  }

  function updateMap(next) {
    var old = map;
    map = next;
    next.seats.forEach(function (seat, i) {
      var shown = seats[seat.label];
      shown.data = seat;
      if (seat.status !== old.seats[i].status) refresh(seat.label);
    });
    showFreeCounts();
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

  function toSet(labels) {
    var set = {};
    labels.forEach(function (label) {
      set[label] = true;
    });
    return set;
  }

  // The new selection: the seats that were or are picked or waiting are redrawn, no others.
  function takeSelection(data) {
    var before = selection.labels.concat(selection.pending);
    selection = data;
    picked = toSet(data.labels);
    waiting = toSet(data.pending);
    if (map) {
      before.concat(data.labels, data.pending).forEach(refresh);
      showFreeCounts();
    }
    drawSelection();
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

  // Pixels per seat unit at `w` × `h` (the SVG keeps its aspect: "meet").
  function scaleAt(w, h) {
    var box = svg.getBoundingClientRect();
    return Math.min(box.width / w, box.height / h);
  }

  function setView(next) {
    var maxW = bounds.w * 2, minW = Math.min(6, bounds.w);
    var w = Math.min(maxW, Math.max(minW, next.w));
    var h = next.h * (w / next.w);
    view = {x: next.x + (next.w - w) / 2, y: next.y + (next.h - h) / 2, w: w, h: h};
    svg.setAttribute('viewBox', [view.x, view.y, view.w, view.h].join(' '));
    var scale = scaleAt(view.w, view.h);
    // Seats a few pixels wide read as nothing: then the sections as blocks.
    svg.classList.toggle('overview', scale > 0 && scale < OVERVIEW_PX);
    syncNodes();
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

  // Zoom so that seats are readable, centred on (cx, cy), if they are not yet.
  function zoomToRead(cx, cy) {
    var scale = scaleAt(view.w, view.h);
    if (!(scale > 0) || scale >= READABLE_PX) return false;
    var factor = READABLE_PX / scale;
    setView({x: cx - view.w / factor / 2, y: cy - view.h / factor / 2, w: view.w / factor, h: view.h / factor});
    return true;
  }

  function svgPoint(clientX, clientY) {
    var point = svg.createSVGPoint();
    point.x = clientX;
    point.y = clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function reveal(label) {
    var seat = seats[label].data;
    if (svg.classList.contains('overview') && zoomToRead(seat.x, seat.y)) return;
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

  // `label` becomes the seat the keyboard is on (tabindex 0; the others have none).
  function moveFocus(label) {
    if (label === focused || !seats[label]) return;
    var old = seats[focused];
    if (old && old.node) {
      old.node.removeAttribute('tabindex');
      old.node.classList.remove('focused');
    }
    focused = label;
    var seat = seats[label];
    if (!seat.node) makeNode(label);
    seat.node.setAttribute('tabindex', '0');
    seat.node.classList.add('focused');
  }

  function focusSeat(label) {
    if (!seats[label]) return;
    moveFocus(label);
    reveal(label);
    seats[label].node.focus();
  }

  function neighbour(label, dx, dy) {
    var from = seats[label].data;
    var best = null, bestScore = Infinity;
    map.seats.forEach(function (seat) {
      var ax = seat.x - from.x, ay = seat.y - from.y;
      var along = ax * dx + ay * dy;
      if (along <= 0.01) return;
      var across = Math.abs(ax * dy - ay * dx);
      var score = along + across * 3;
      if (score < bestScore) {
        bestScore = score;
        best = seat.label;
      }
    });
    return best;
  }

  svg.addEventListener('click', function (event) {
    if (drag && drag.moved) return;
    var target = event.target.closest ? event.target : null;
    var block = target ? target.closest('.block') : null;
    if (block && svg.classList.contains('overview')) {
      var s = sections[block.getAttribute('data-section')];
      if (s) zoomToRead((s.minX + s.maxX) / 2, (s.minY + s.maxY) / 2);
      return;
    }
    var node = target ? target.closest('.seat') : null;
    if (!node) return;
    var label = node.getAttribute('data-label');
    moveFocus(label);
    toggle(label);
  });

  svg.addEventListener('focusin', function (event) {
    var node = event.target.closest ? event.target.closest('.seat') : null;
    if (!node) return;
    moveFocus(node.getAttribute('data-label'));
    if (svg.classList.contains('overview')) reveal(focused);
  });

  // The tooltip of a seat, made when the pointer first reaches it.
  svg.addEventListener('mouseover', function (event) {
    var node = event.target.closest ? event.target.closest('.seat') : null;
    var label = node ? node.getAttribute('data-label') : null;
    var seat = label ? seats[label] : null;
    if (!seat || seat.title) return;
    seat.title = el('title', {}, node);
    seat.title.textContent = label + ' — ' + describe(label);
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

  window.addEventListener('resize', function () {
    if (view) setView(view);
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
      var start = performance.now();
      if (sameSeats(data)) {
        updateMap(data);
      } else {
        map = data;
        drawMap();
        drawSelection();
      }
      stats.drawMs = performance.now() - start;
    });
    bridge.on('selection', takeSelection);
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
      return seats[label] ? seats[label].state : null;
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
    // Seats by state as shown, e.g. {free: 9, selected: 1}.
    counts: function () {
      var counts = {};
      Object.keys(seats).forEach(function (label) {
        var state = seats[label].state;
        counts[state] = (counts[state] || 0) + 1;
      });
      return counts;
    },
    // Maps drawn, seats redrawn since the last one (a click redraws only its seats), and
    // the milliseconds the last map took to show.
    stats: function () {
      return {maps: stats.maps, touched: stats.touched, drawMs: stats.drawMs};
    },
    // Whether the map shows sections as blocks (zoomed out), and their free seats.
    overview: function () {
      return svg.classList.contains('overview');
    },
    free: function (section) {
      return sections[section] ? sections[section].free : null;
    },
    // Bring the seat `label` into view, zoomed in so far that seats are readable.
    reveal: function (label) {
      if (!seats[label]) return false;
      var seat = seats[label].data;
      zoomToRead(seat.x, seat.y);
      reveal(label);
      return true;
    },
  };
})();
