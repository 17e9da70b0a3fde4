/*
 * Stripe.js stand-in for Box Office training mode (served by the Stripe emulator at
 * /js.stripe.com/v3/). It implements the part of Stripe.js v3 that a card payment page
 * uses, with the same names and result shapes, so that the page works unchanged:
 *
 *   const stripe = Stripe(publishableKey);
 *   const card = stripe.elements().create('card');
 *   card.mount('#card');
 *   const {paymentIntent, error} =
 *       await stripe.confirmCardPayment(clientSecret, {payment_method: {card}});
 *
 * The card Element is plain inputs in the page (number, MM / YY, CVC, postal code), not an
 * iframe. 3-D Secure cards open an in-page dialog ("Complete authentication" / "Fail
 * authentication"). Nothing here talks to Stripe: every call goes to the emulator that
 * served this file. Also provided: retrievePaymentIntent, handleCardAction,
 * elements.getElement; the Payment Element and confirmPayment are not.
 *
 * Like Stripe.js, the card Element speaks the `locale` of stripe.elements({locale}) (or of
 * Stripe(key, {locale})): "en", "cs" or "de"; "auto" or any other locale means the
 * browser's language if it is one of those, else English. The 3-D Secure dialog and the
 * errors of confirmCardPayment follow the locale of the card Element being paid with (else
 * of Stripe(), else of the last elements()). IntegrationErrors stay English, as in Stripe.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var API_BASE = (function () {
    var src = script && script.src ? script.src : '';
    var match = src.match(/^(https?:\/\/[^/]+)/);
    return match ? match[1] : window.location.origin;
  })();

  // The texts a customer or cashier sees, by locale. Validation messages are keyed by the
  // error code that Stripe.js reports with them.
  var TEXTS = {
    en: {
      badge: 'TRAINING',
      badge_title: 'Training mode: no real card is charged.',
      number_placeholder: '1234 1234 1234 1234',
      expiry_placeholder: 'MM / YY',
      cvc_placeholder: 'CVC',
      postal_placeholder: 'Postal code',
      number_label: 'Card number',
      expiry_label: 'Expiration date',
      cvc_label: 'Security code',
      postal_label: 'Postal code',
      incomplete_number: 'Your card number is incomplete.',
      invalid_number: 'Your card number is invalid.',
      incomplete_expiry: "Your card's expiration date is incomplete.",
      invalid_expiry_month: "Your card's expiration date is invalid.",
      invalid_expiry_month_past: "Your card's expiration date is in the past.",
      invalid_expiry_year_past: "Your card's expiration year is in the past.",
      incomplete_cvc: "Your card's security code is incomplete.",
      incomplete_zip: 'Your postal code is incomplete.',
      auth_title: '3-D Secure (training)',
      auth_text:
        'The bank asks the customer to approve {amount}. This is training mode: no bank is ' +
        'contacted.',
      auth_complete: 'Complete authentication',
      auth_fail: 'Fail authentication',
      auth_failure:
        'We are unable to authenticate your payment method. Please choose a different ' +
        'payment method and try again.',
      unreachable: 'The payment service (training emulator) could not be reached.',
      unexpected: 'Unexpected answer from the payment service (HTTP {status}).',
    },
    cs: {
      badge: 'CVIČNĚ',
      badge_title: 'Cvičný režim: žádná skutečná karta se nezatíží.',
      number_placeholder: '1234 1234 1234 1234',
      expiry_placeholder: 'MM / RR',
      cvc_placeholder: 'CVC',
      postal_placeholder: 'PSČ',
      number_label: 'Číslo karty',
      expiry_label: 'Datum konce platnosti',
      cvc_label: 'Bezpečnostní kód',
      postal_label: 'PSČ',
      incomplete_number: 'Číslo karty je neúplné.',
      invalid_number: 'Číslo karty je neplatné.',
      incomplete_expiry: 'Datum konce platnosti karty je neúplné.',
      invalid_expiry_month: 'Datum konce platnosti karty je neplatné.',
      invalid_expiry_month_past: 'Datum konce platnosti karty je v minulosti.',
      invalid_expiry_year_past: 'Rok konce platnosti karty je v minulosti.',
      incomplete_cvc: 'Bezpečnostní kód karty je neúplný.',
      incomplete_zip: 'Vaše PSČ je neúplné.',
      auth_title: '3-D Secure (cvičně)',
      auth_text:
        'Banka žádá zákazníka o schválení částky {amount}. Toto je cvičný režim: ' +
        'žádná banka není kontaktována.',
      auth_complete: 'Dokončit ověření',
      auth_fail: 'Ověření selhalo',
      auth_failure:
        'Vaši platební metodu se nepodařilo ověřit. Zvolte prosím jinou platební metodu ' +
        'a zkuste to znovu.',
      unreachable: 'Platební službu (cvičný emulátor) se nepodařilo kontaktovat.',
      unexpected: 'Neočekávaná odpověď platební služby (HTTP {status}).',
    },
    de: {
      badge: 'ÜBUNG',
      badge_title: 'Übungsmodus: Es wird keine echte Karte belastet.',
      number_placeholder: '1234 1234 1234 1234',
      expiry_placeholder: 'MM / JJ',
      cvc_placeholder: 'CVC',
      postal_placeholder: 'PLZ',
      number_label: 'Kartennummer',
      expiry_label: 'Ablaufdatum',
      cvc_label: 'Sicherheitscode',
      postal_label: 'Postleitzahl',
      incomplete_number: 'Ihre Kartennummer ist unvollständig.',
      invalid_number: 'Ihre Kartennummer ist ungültig.',
      incomplete_expiry: 'Das Ablaufdatum Ihrer Karte ist unvollständig.',
      invalid_expiry_month: 'Das Ablaufdatum Ihrer Karte ist ungültig.',
      invalid_expiry_month_past: 'Das Ablaufdatum Ihrer Karte liegt in der Vergangenheit.',
      invalid_expiry_year_past: 'Das Ablaufjahr Ihrer Karte liegt in der Vergangenheit.',
      incomplete_cvc: 'Der Sicherheitscode Ihrer Karte ist unvollständig.',
      incomplete_zip: 'Ihre Postleitzahl ist unvollständig.',
      auth_title: '3-D Secure (Übung)',
      auth_text:
        'Die Bank bittet den Kunden, {amount} zu bestätigen. Dies ist der Übungsmodus: ' +
        'Es wird keine Bank kontaktiert.',
      auth_complete: 'Authentifizierung abschließen',
      auth_fail: 'Authentifizierung fehlschlagen lassen',
      auth_failure:
        'Wir können Ihre Zahlungsmethode nicht authentifizieren. Bitte wählen Sie eine ' +
        'andere Zahlungsmethode und versuchen Sie es erneut.',
      unreachable: 'Der Zahlungsdienst (Übungs-Emulator) ist nicht erreichbar.',
      unexpected: 'Unerwartete Antwort des Zahlungsdienstes (HTTP {status}).',
    },
  };

  function primaryTag(locale) {
    return String(locale || '').toLowerCase().split(/[-_]/)[0];
  }

  // "en", "cs" or "de" for a Stripe `locale` option ("auto", "cs", "de-AT", …).
  function resolveLocale(locale) {
    var requested = primaryTag(locale);
    if (requested !== 'auto' && TEXTS.hasOwnProperty(requested)) return requested;
    var browser = primaryTag(navigator.language || (navigator.languages || [])[0]);
    return TEXTS.hasOwnProperty(browser) ? browser : 'en';
  }

  // The text `key` in `locale` (resolved), with {name} replaced by values[name].
  function text(locale, key, values) {
    return TEXTS[locale][key].replace(/\{(\w+)\}/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  function IntegrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  function digits(value) {
    return String(value || '').replace(/\D/g, '');
  }

  function luhn(number) {
    var total = 0;
    for (var i = 0; i < number.length; i++) {
      var value = Number(number.charAt(number.length - 1 - i)) * (i % 2 ? 2 : 1);
      total += value > 9 ? value - 9 : value;
    }
    return total % 10 === 0;
  }

  function brandOf(number) {
    if (/^4/.test(number)) return 'visa';
    if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
    if (/^3[47]/.test(number)) return 'amex';
    if (/^6(011|5)/.test(number)) return 'discover';
    return 'unknown';
  }

  // Form-encode nested objects the way Stripe.js does: a[b][c]=value.
  function encodeForm(params) {
    var pairs = [];
    (function walk(value, prefix) {
      if (value === undefined || value === null) return;
      if (typeof value === 'object') {
        Object.keys(value).forEach(function (key) {
          walk(value[key], prefix ? prefix + '[' + key + ']' : key);
        });
      } else {
        pairs.push(encodeURIComponent(prefix) + '=' + encodeURIComponent(String(value)));
      }
    })(params, '');
    return pairs.join('&');
  }

  function intentIdOf(clientSecret) {
    var match = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(String(clientSecret || ''));
    if (!match) {
      throw IntegrationError(
        'Invalid value for confirmCardPayment: clientSecret should be a client secret of ' +
          'the form ${id}_secret_${secret}.'
      );
    }
    return match[1];
  }

  // --- the card Element ------------------------------------------------------------------

  function CardElement(group, options) {
    this._group = group;
    this._options = options || {};
    this._listeners = {};
    this._container = null;
    this._root = null;
    this._inputs = null;
    this._badge = null;
    this._destroyed = false;
    this._state = {empty: true, complete: false, error: undefined};
  }

  CardElement.prototype.mount = function (target) {
    if (this._destroyed) {
      throw IntegrationError('This Element has already been destroyed. Create a new one.');
    }
    var container = typeof target === 'string' ? document.querySelector(target) : target;
    if (!container || typeof container.appendChild !== 'function') {
      throw IntegrationError(
        'Invalid DOM element. Make sure to call mount() with a valid DOM element or selector.'
      );
    }
    if (this._root) {
      if (this._container === container) return;
      throw IntegrationError('This Element is already mounted. Use unmount() first.');
    }
    var self = this;
    var root = document.createElement('div');
    root.className = 'StripeElement StripeElement--empty stripe-emulator-card';
    root.setAttribute('data-stripe-emulator', 'card');
    root.style.display = 'flex';
    root.style.flexWrap = 'wrap';
    root.style.gap = '6px';
    root.style.alignItems = 'center';

    var badge = document.createElement('span');
    badge.setAttribute('data-stripe-emulator', 'badge');
    badge.style.cssText =
      'font:bold 10px sans-serif;color:#fff;background:#b45309;padding:2px 5px;border-radius:3px;';
    root.appendChild(badge);

    function input(field, autocomplete, size) {
      var element = document.createElement('input');
      element.type = 'text';
      element.name = field;
      element.autocomplete = autocomplete;
      element.setAttribute('inputmode', 'numeric');
      element.setAttribute('data-stripe-emulator', field);
      element.size = size;
      element.addEventListener('input', function (event) {
        self._onInput(field, event);
      });
      element.addEventListener('focus', function () {
        root.classList.add('StripeElement--focus');
        self._emit('focus', {elementType: 'card'});
      });
      element.addEventListener('blur', function () {
        root.classList.remove('StripeElement--focus');
        self._emit('blur', {elementType: 'card'});
      });
      root.appendChild(element);
      return element;
    }

    this._badge = badge;
    this._inputs = {
      number: input('cardnumber', 'cc-number', 19),
      expiry: input('exp-date', 'cc-exp', 7),
      cvc: input('cvc', 'cc-csc', 4),
      postal: input('postal', 'postal-code', 8),
    };
    this._localize();
    this._inputs.postal.setAttribute('inputmode', 'text');
    if (this._options.hidePostalCode) this._inputs.postal.style.display = 'none';
    if (this._options.value && this._options.value.postalCode) {
      this._inputs.postal.value = this._options.value.postalCode;
    }
    if (this._options.disabled) this._setDisabled(true);

    container.appendChild(root);
    this._container = container;
    this._root = root;
    setTimeout(function () {
      self._emit('ready', {elementType: 'card'});
    }, 0);
  };

  CardElement.prototype.unmount = function () {
    if (this._root && this._root.parentNode) this._root.parentNode.removeChild(this._root);
    this._root = null;
    this._container = null;
    this._inputs = null;
    this._badge = null;
  };

  CardElement.prototype._locale = function () {
    return this._group._locale();
  };

  // (Re)writes the badge, placeholders and labels in the Element's locale.
  CardElement.prototype._localize = function () {
    if (!this._inputs) return;
    var locale = this._locale();
    var inputs = this._inputs;
    this._badge.textContent = text(locale, 'badge');
    this._badge.title = text(locale, 'badge_title');
    [
      ['number', 'number'],
      ['expiry', 'expiry'],
      ['cvc', 'cvc'],
      ['postal', 'postal'],
    ].forEach(function (pair) {
      inputs[pair[0]].placeholder = text(locale, pair[1] + '_placeholder');
      inputs[pair[0]].setAttribute('aria-label', text(locale, pair[1] + '_label'));
    });
  };

  CardElement.prototype.destroy = function () {
    this.unmount();
    this._destroyed = true;
    if (this._group._card === this) this._group._card = null;
  };

  CardElement.prototype.on = function (event, handler) {
    (this._listeners[event] = this._listeners[event] || []).push(handler);
    return this;
  };

  CardElement.prototype.off = function (event, handler) {
    var list = this._listeners[event] || [];
    this._listeners[event] = handler
      ? list.filter(function (h) {
          return h !== handler;
        })
      : [];
    return this;
  };

  CardElement.prototype.once = function (event, handler) {
    var self = this;
    function wrapper(payload) {
      self.off(event, wrapper);
      handler(payload);
    }
    return this.on(event, wrapper);
  };

  CardElement.prototype.update = function (options) {
    this._options = Object.assign({}, this._options, options || {});
    if (!this._inputs) return;
    this._inputs.postal.style.display = this._options.hidePostalCode ? 'none' : '';
    if ('disabled' in (options || {})) this._setDisabled(!!this._options.disabled);
  };

  CardElement.prototype.clear = function () {
    if (!this._inputs) return;
    var inputs = this._inputs;
    Object.keys(inputs).forEach(function (key) {
      inputs[key].value = '';
    });
    this._validate(true);
  };

  CardElement.prototype.focus = function () {
    if (this._inputs) this._inputs.number.focus();
  };

  CardElement.prototype.blur = function () {
    if (!this._inputs) return;
    var inputs = this._inputs;
    Object.keys(inputs).forEach(function (key) {
      inputs[key].blur();
    });
  };

  CardElement.prototype._setDisabled = function (disabled) {
    var inputs = this._inputs;
    Object.keys(inputs).forEach(function (key) {
      inputs[key].disabled = disabled;
    });
  };

  CardElement.prototype._emit = function (event, payload) {
    (this._listeners[event] || []).slice().forEach(function (handler) {
      try {
        handler(payload);
      } catch (err) {
        setTimeout(function () {
          throw err;
        }, 0);
      }
    });
  };

  CardElement.prototype._onInput = function (field, event) {
    var inputs = this._inputs;
    if (field === 'cardnumber') {
      var number = digits(inputs.number.value).slice(0, 16);
      inputs.number.value = number.replace(/(\d{4})(?=\d)/g, '$1 ');
      if (number.length === 16 && luhn(number)) inputs.expiry.focus();
    } else if (field === 'exp-date') {
      var raw = digits(inputs.expiry.value).slice(0, 4);
      if (raw.length === 1 && Number(raw) > 1) raw = '0' + raw;
      var deleting = event && event.inputType && event.inputType.indexOf('delete') === 0;
      inputs.expiry.value =
        raw.length > 2 || (raw.length === 2 && !deleting) ? raw.slice(0, 2) + ' / ' + raw.slice(2) : raw;
      if (raw.length === 4) inputs.cvc.focus();
    } else if (field === 'cvc') {
      inputs.cvc.value = digits(inputs.cvc.value).slice(0, 4);
      if (inputs.cvc.value.length === 3 && !this._options.hidePostalCode) inputs.postal.focus();
    }
    this._validate(true);
  };

  // Returns {number, exp_month, exp_year, cvc, postal_code} or sets this._state.error.
  CardElement.prototype._validate = function (emit) {
    var inputs = this._inputs;
    var number = digits(inputs.number.value);
    var expiry = digits(inputs.expiry.value);
    var cvc = digits(inputs.cvc.value);
    var postal = inputs.postal.value.trim();
    var needPostal = !this._options.hidePostalCode;
    var empty = !number && !expiry && !cvc && !postal;
    var code = null;
    var now = new Date();
    var month = Number(expiry.slice(0, 2));
    var year = 2000 + Number(expiry.slice(2, 4));
    if (number.length < 16) {
      code = 'incomplete_number';
    } else if (!luhn(number)) {
      code = 'invalid_number';
    } else if (expiry.length < 4) {
      code = 'incomplete_expiry';
    } else if (month < 1 || month > 12) {
      code = 'invalid_expiry_month';
    } else if (year < now.getFullYear()) {
      code = 'invalid_expiry_year_past';
    } else if (year === now.getFullYear() && month < now.getMonth() + 1) {
      code = 'invalid_expiry_month_past';
    } else if (cvc.length < 3) {
      code = 'incomplete_cvc';
    } else if (needPostal && postal.length < 3) {
      code = 'incomplete_zip';
    }
    var error = code ? {type: 'validation_error', code: code, message: text(this._locale(), code)} : undefined;
    this._state = {empty: empty, complete: !code, error: error};
    if (this._root) {
      this._root.classList.toggle('StripeElement--empty', empty);
      this._root.classList.toggle('StripeElement--complete', !code);
      this._root.classList.toggle('StripeElement--invalid', !!code && !empty && !isTyping(code));
    }
    if (emit) {
      this._emit('change', {
        elementType: 'card',
        empty: empty,
        complete: !code,
        brand: brandOf(number),
        value: {postalCode: postal},
        // Like Stripe.js: "incomplete" is not reported while the customer is still typing.
        error: code && !isTyping(code) ? error : undefined,
      });
    }
    if (code) return null;
    return {
      number: number,
      exp_month: String(month),
      exp_year: String(year),
      cvc: cvc,
      postal_code: postal,
    };
  };

  function isTyping(code) {
    return code.indexOf('incomplete_') === 0;
  }

  // --- the 3-D Secure dialog -------------------------------------------------------------

  function formatAmount(intent, locale) {
    var amount = (intent.amount || 0) / 100;
    try {
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: String(intent.currency || 'eur').toUpperCase(),
      }).format(amount);
    } catch (err) {
      return amount.toFixed(2) + ' ' + String(intent.currency || '').toUpperCase();
    }
  }

  function authenticationDialog(intent, locale) {
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.setAttribute('data-stripe-emulator', '3ds');
      overlay.setAttribute('role', 'dialog');
      overlay.setAttribute('aria-modal', 'true');
      overlay.setAttribute('aria-labelledby', 'stripe-emulator-3ds-title');
      overlay.style.cssText =
        'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,0.45);' +
        'display:flex;align-items:center;justify-content:center;font-family:sans-serif;';
      var box = document.createElement('div');
      box.style.cssText =
        'background:#fff;color:#111;max-width:360px;width:90%;padding:20px 24px;' +
        'border-radius:8px;box-shadow:0 8px 30px rgba(0,0,0,0.3);text-align:center;';
      var title = document.createElement('h2');
      title.id = 'stripe-emulator-3ds-title';
      title.textContent = text(locale, 'auth_title');
      title.style.cssText = 'font-size:18px;margin:0 0 10px;';
      var paragraph = document.createElement('p');
      paragraph.textContent = text(locale, 'auth_text', {amount: formatAmount(intent, locale)});
      paragraph.style.cssText = 'font-size:14px;margin:0 0 16px;';
      var complete = document.createElement('button');
      complete.type = 'button';
      complete.textContent = text(locale, 'auth_complete');
      complete.setAttribute('data-stripe-emulator', '3ds-complete');
      var fail = document.createElement('button');
      fail.type = 'button';
      fail.textContent = text(locale, 'auth_fail');
      fail.setAttribute('data-stripe-emulator', '3ds-fail');
      [complete, fail].forEach(function (button) {
        button.style.cssText = 'margin:4px;padding:8px 12px;font-size:14px;cursor:pointer;';
      });
      box.appendChild(title);
      box.appendChild(paragraph);
      box.appendChild(complete);
      box.appendChild(fail);
      overlay.appendChild(box);

      function finish(success) {
        document.removeEventListener('keydown', onKey, true);
        if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
        resolve(success);
      }
      function onKey(event) {
        if (event.key === 'Escape') {
          event.preventDefault();
          finish(false);
        }
      }
      complete.addEventListener('click', function () {
        finish(true);
      });
      fail.addEventListener('click', function () {
        finish(false);
      });
      document.addEventListener('keydown', onKey, true);
      document.body.appendChild(overlay);
      complete.focus();
    });
  }

  // --- the Stripe object -----------------------------------------------------------------

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._card = null;
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'card') {
      throw IntegrationError(
        'The Stripe emulator supports only the "card" Element (not "' + type + '").'
      );
    }
    if (this._card) throw IntegrationError('Can only create one Element of type card.');
    this._card = new CardElement(this, options);
    return this._card;
  };

  Elements.prototype.getElement = function (type) {
    return type === 'card' ? this._card : null;
  };

  // Like Stripe.js: the Elements' own locale, else that of Stripe(), else "auto".
  Elements.prototype._locale = function () {
    return resolveLocale(this._options.locale || this._stripe._options.locale);
  };

  Elements.prototype.update = function (options) {
    this._options = Object.assign({}, this._options, options || {});
    if (options && 'locale' in options) {
      this._stripe._elementsLocale = options.locale;
      if (this._card) this._card._localize();
    }
  };

  function Stripe(publishableKey, options) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey, options);
    if (typeof publishableKey !== 'string' || !/^pk_(test|live)_/.test(publishableKey)) {
      throw IntegrationError(
        'Invalid value for Stripe(): apiKey should be a publishable key (pk_test_…).'
      );
    }
    this._key = publishableKey;
    this._options = options || {};
    this._elementsLocale = undefined;
    this.emulated = true;
  }

  // The locale of texts not tied to a card Element: Stripe()'s, else the last elements()'.
  Stripe.prototype._locale = function () {
    return resolveLocale(this._options.locale || this._elementsLocale);
  };

  Stripe.prototype._request = function (method, path, params, locale) {
    locale = locale || this._locale();
    var url = API_BASE + path;
    var init = {method: method, credentials: 'omit'};
    var body = encodeForm(Object.assign({key: this._key}, params || {}));
    if (method === 'GET') {
      url += '?' + body;
    } else {
      init.headers = {'Content-Type': 'application/x-www-form-urlencoded'};
      init.body = body;
    }
    return fetch(url, init).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (json) {
            return {ok: response.ok, status: response.status, body: json};
          });
      },
      function () {
        return {
          ok: false,
          status: 0,
          body: {
            error: {
              type: 'api_connection_error',
              message: text(locale, 'unreachable'),
            },
          },
        };
      }
    );
  };

  // {paymentIntent} or {error} from a PaymentIntent that a confirm or 3DS step returned.
  function outcome(intent) {
    var error = intent.last_payment_error;
    if (intent.status === 'requires_payment_method' && error) {
      return {error: Object.assign({type: 'card_error'}, error, {payment_intent: intent})};
    }
    return {paymentIntent: intent};
  }

  function failure(answer, locale) {
    var error = (answer.body && answer.body.error) || {
      type: 'api_error',
      message: text(locale, 'unexpected', {status: answer.status}),
    };
    return {error: error};
  }

  Stripe.prototype._authenticate = function (intent, clientSecret, locale) {
    var self = this;
    return authenticationDialog(intent, locale).then(function (success) {
      return self
        ._request(
          'POST',
          '/v1/payment_intents/' + intent.id + '/_authenticate',
          {client_secret: clientSecret, success: success ? 'true' : 'false'},
          locale
        )
        .then(function (answer) {
          if (!answer.ok) return failure(answer, locale);
          var result = answer.body;
          if (result.status === 'requires_payment_method' && result.last_payment_error) {
            return {
              error: {
                type: 'invalid_request_error',
                code: 'payment_intent_authentication_failure',
                message: text(locale, 'auth_failure'),
                payment_intent: result,
              },
            };
          }
          return outcome(result);
        });
    });
  };

  Stripe.prototype._settle = function (answer, clientSecret, handleActions, locale) {
    locale = locale || this._locale();
    if (!answer.ok) return Promise.resolve(failure(answer, locale));
    var intent = answer.body;
    if (intent.status === 'requires_action' && handleActions !== false) {
      return this._authenticate(intent, clientSecret, locale);
    }
    return Promise.resolve(outcome(intent));
  };

  Stripe.prototype.elements = function (options) {
    if (options && options.locale) this._elementsLocale = options.locale;
    return new Elements(this, options);
  };

  Stripe.prototype.confirmCardPayment = function (clientSecret, data, options) {
    var self = this;
    return new Promise(function (resolve) {
      var intentId = intentIdOf(clientSecret);
      var params = {client_secret: clientSecret};
      var method = data && data.payment_method;
      var locale = self._locale();
      if (typeof method === 'string') {
        params.payment_method = method;
      } else if (method && method.card instanceof CardElement) {
        var element = method.card;
        if (!element._inputs) {
          throw IntegrationError('The card Element passed to confirmCardPayment is not mounted.');
        }
        locale = element._locale();
        var card = element._validate(false);
        if (!card) {
          resolve({error: element._state.error});
          return;
        }
        var billing = Object.assign({}, method.billing_details || {});
        billing.address = Object.assign({}, billing.address || {});
        if (card.postal_code && !billing.address.postal_code) {
          billing.address.postal_code = card.postal_code;
        }
        params.payment_method_data = {
          type: 'card',
          card: {
            number: card.number,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            cvc: card.cvc,
          },
          billing_details: billing,
        };
      } else if (method && method.card) {
        throw IntegrationError('payment_method.card must be a card Element of this Stripe.');
      }
      if (data && data.return_url) params.return_url = data.return_url;
      resolve(
        self
          ._request('POST', '/v1/payment_intents/' + intentId + '/confirm', params, locale)
          .then(function (answer) {
            return self._settle(answer, clientSecret, options && options.handleActions, locale);
          })
      );
    });
  };

  // The answer to GET of the PaymentIntent of `clientSecret` (a malformed secret rejects).
  Stripe.prototype._getIntent = function (clientSecret) {
    var self = this;
    return new Promise(function (resolve) {
      var intentId = intentIdOf(clientSecret);
      resolve(
        self._request('GET', '/v1/payment_intents/' + intentId, {client_secret: clientSecret})
      );
    });
  };

  Stripe.prototype.handleCardAction = function (clientSecret) {
    var self = this;
    return this._getIntent(clientSecret).then(function (answer) {
      return self._settle(answer, clientSecret, true);
    });
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var self = this;
    return this._getIntent(clientSecret).then(function (answer) {
      return answer.ok ? {paymentIntent: answer.body} : failure(answer, self._locale());
    });
  };

  Stripe.version = 3;
  Stripe.emulated = true;
  window.Stripe = Stripe;
})();
