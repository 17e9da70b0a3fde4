/*
 * The one helper through which an app page talks to Python (QWebChannel, object "bridge").
 * Load qrc:///qtwebchannel/qwebchannel.js first, then:
 *
 *   BoxOfficeBridge.connect(1).then(function (bridge) {
 *     bridge.on('seat_map', function (data) { ... });   // Python signal, JSON decoded
 *     bridge.call('toggle_seat', {label: 'A-1'});       // Python slot, JSON encoded
 *   });
 *
 * Every message is one JSON object; Python validates what the page sends.
 *
 * The page speaks the app's language: `bridge.language` is its tag ("cs"), `bridge.t(key,
 * values)` a word of the page in it (boxoffice/ui/web/page_words.py) with `%(name)s` filled
 * in (a plural word picks its form by `values.count`), `bridge.money(amount, currency)` an
 * amount as the language writes it ("29,00 €"; English "29.00 EUR", as the app writes it).
 * `connect` already set `<html lang>`, the title and the words of elements marked with
 * `data-t` (text), `data-t-label` (aria-label) and `data-t-title` (title).
 */
(function () {
  'use strict';

  var HAS = Object.prototype.hasOwnProperty;
  var PLACEHOLDER = /%(?:\(([A-Za-z_][A-Za-z0-9_]*)\)[sd]|%)/g;

  // t(key, values): the word `key` with its placeholders filled in (the key itself if missing).
  function translator(language, words) {
    var plurals = null;
    return function t(key, values) {
      var word = HAS.call(words, key) ? words[key] : key;
      if (word !== null && typeof word === 'object') {
        plurals = plurals || new Intl.PluralRules(language);
        var count = values && typeof values.count === 'number' ? values.count : 0;
        var category = plurals.select(count);
        word = HAS.call(word, category) ? word[category] : word.other;
      }
      if (!values) return String(word);
      return String(word).replace(PLACEHOLDER, function (whole, name) {
        if (name === undefined) return '%';
        return HAS.call(values, name) ? String(values[name]) : whole;
      });
    };
  }

  // money(amount, currency): one Intl.NumberFormat per currency, made on first use.
  function moneyFormatter(language) {
    var formats = {};
    function formatOf(currency) {
      if (HAS.call(formats, currency)) return formats[currency];
      var format;
      try {
        if (language === 'en') {
          // The app's English: the currency's decimals and its code after ("1,200.00 EUR").
          var digits = new Intl.NumberFormat('en', {style: 'currency', currency: currency})
            .resolvedOptions().maximumFractionDigits;
          var number = new Intl.NumberFormat('en', {
            minimumFractionDigits: digits,
            maximumFractionDigits: digits,
          });
          format = function (value) {
            return number.format(value) + ' ' + currency;
          };
        } else {
          var currencyFormat = new Intl.NumberFormat(language, {style: 'currency', currency: currency});
          format = function (value) {
            return currencyFormat.format(value);
          };
        }
      } catch (err) {
        format = function (value) {
          return value.toFixed(2) + ' ' + currency;
        };
      }
      formats[currency] = format;
      return format;
    }
    return function money(amount, currency) {
      if (amount === null || amount === undefined || amount === '') return '';
      return formatOf(String(currency || 'EUR').toUpperCase())(Number(amount));
    };
  }

  // Puts the words into the page: <html lang>, the title, and the marked elements.
  // (An element whose key the words lack keeps its English.)
  function localize(language, words, t) {
    document.documentElement.lang = language;
    if (HAS.call(words, 'title')) document.title = t('title');
    var marks = [['data-t', null], ['data-t-label', 'aria-label'], ['data-t-title', 'title']];
    marks.forEach(function (mark) {
      var nodes = document.querySelectorAll('[' + mark[0] + ']');
      for (var i = 0; i < nodes.length; i++) {
        var key = nodes[i].getAttribute(mark[0]);
        if (!HAS.call(words, key)) continue;
        if (mark[1]) nodes[i].setAttribute(mark[1], t(key));
        else nodes[i].textContent = t(key);
      }
    });
  }

  function wrap(object) {
    var page = {language: 'en', words: {}};
    try {
      page = JSON.parse(object.words || '{}');
    } catch (err) {
      console.error('bridge: bad JSON in "words": ' + err);
    }
    var language = page.language || 'en';
    var words = page.words || {};
    var t = translator(language, words);
    localize(language, words, t);
    return {
      version: object.version,
      language: language,
      t: t,
      money: moneyFormatter(language),
      call: function (name, payload) {
        if (typeof object[name] !== 'function') {
          throw new Error('The bridge has no call "' + name + '".');
        }
        object[name](JSON.stringify(payload || {}));
      },
      on: function (name, handler) {
        if (!object[name] || typeof object[name].connect !== 'function') {
          throw new Error('The bridge has no signal "' + name + '".');
        }
        object[name].connect(function (json) {
          var data;
          try {
            data = JSON.parse(json);
          } catch (err) {
            console.error('bridge: bad JSON on "' + name + '": ' + err);
            return;
          }
          handler(data);
        });
      },
    };
  }

  function connect(version) {
    return new Promise(function (resolve, reject) {
      if (typeof QWebChannel === 'undefined' || !window.qt || !window.qt.webChannelTransport) {
        reject(new Error('This page runs only inside Box Office (no QWebChannel).'));
        return;
      }
      new QWebChannel(window.qt.webChannelTransport, function (channel) {
        var object = channel.objects.bridge;
        if (!object) {
          reject(new Error('Box Office registered no "bridge" object.'));
        } else if (version !== undefined && object.version !== version) {
          reject(new Error('Bridge version ' + object.version + ', page expects ' + version + '.'));
        } else {
          resolve(wrap(object));
        }
      });
    });
  }

  window.BoxOfficeBridge = {connect: connect, translator: translator, moneyFormatter: moneyFormatter};
})();
