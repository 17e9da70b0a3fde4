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
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var API_BASE = (function () {
    var src = script && script.src ? script.src : '';
    var match = src.match(/^(https?:\/\/[^/]+)/);
    return match ? match[1] : window.location.origin;
  })();

  var MESSAGES = {
    incomplete_number: 'Your card number is incomplete.',
    invalid_number: 'Your card number is invalid.',
    incomplete_expiry: "Your card's expiration date is incomplete.",
    invalid_expiry_month: "Your card's expiration date is invalid.",
    invalid_expiry_month_past: "Your card's expiration date is in the past.",
    invalid_expiry_year_past: "Your card's expiration year is in the past.",
    incomplete_cvc: "Your card's security code is incomplete.",
    incomplete_zip: 'Your postal code is incomplete.',
  };

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
    badge.textContent = 'TRAINING';
    badge.title = 'Training mode: no real card is charged.';
    badge.setAttribute('data-stripe-emulator', 'badge');
    badge.style.cssText =
      'font:bold 10px sans-serif;color:#fff;background:#b45309;padding:2px 5px;border-radius:3px;';
    root.appendChild(badge);

    function input(field, placeholder, autocomplete, size, label) {
      var element = document.createElement('input');
      element.type = 'text';
      element.name = field;
      element.placeholder = placeholder;
      element.autocomplete = autocomplete;
      element.setAttribute('inputmode', 'numeric');
      element.setAttribute('aria-label', label);
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

    this._inputs = {
      number: input('cardnumber', '1234 1234 1234 1234', 'cc-number', 19, 'Card number'),
      expiry: input('exp-date', 'MM / YY', 'cc-exp', 7, 'Expiration date'),
      cvc: input('cvc', 'CVC', 'cc-csc', 4, 'Security code'),
      postal: input('postal', 'Postal code', 'postal-code', 8, 'Postal code'),
    };
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
    var error = code ? {type: 'validation_error', code: code, message: MESSAGES[code]} : undefined;
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

  function formatAmount(intent) {
    var amount = (intent.amount || 0) / 100;
    try {
      return new Intl.NumberFormat(undefined, {
        style: 'currency',
        currency: String(intent.currency || 'eur').toUpperCase(),
      }).format(amount);
    } catch (err) {
      return amount.toFixed(2) + ' ' + String(intent.currency || '').toUpperCase();
    }
  }

  function authenticationDialog(intent) {
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
      title.textContent = '3-D Secure (training)';
      title.style.cssText = 'font-size:18px;margin:0 0 10px;';
      var text = document.createElement('p');
      text.textContent =
        'The bank asks the customer to approve ' +
        formatAmount(intent) +
        '. This is training mode: no bank is contacted.';
      text.style.cssText = 'font-size:14px;margin:0 0 16px;';
      var complete = document.createElement('button');
      complete.type = 'button';
      complete.textContent = 'Complete authentication';
      complete.setAttribute('data-stripe-emulator', '3ds-complete');
      var fail = document.createElement('button');
      fail.type = 'button';
      fail.textContent = 'Fail authentication';
      fail.setAttribute('data-stripe-emulator', '3ds-fail');
      [complete, fail].forEach(function (button) {
        button.style.cssText = 'margin:4px;padding:8px 12px;font-size:14px;cursor:pointer;';
      });
      box.appendChild(title);
      box.appendChild(text);
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

  Elements.prototype.update = function (options) {
    this._options = Object.assign({}, this._options, options || {});
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
    this.emulated = true;
  }

  Stripe.prototype._request = function (method, path, params) {
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
              message: 'The payment service (training emulator) could not be reached.',
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

  function failure(answer) {
    var error = (answer.body && answer.body.error) || {
      type: 'api_error',
      message: 'Unexpected answer from the payment service (HTTP ' + answer.status + ').',
    };
    return {error: error};
  }

  Stripe.prototype._authenticate = function (intent, clientSecret) {
    var self = this;
    return authenticationDialog(intent).then(function (success) {
      return self
        ._request('POST', '/v1/payment_intents/' + intent.id + '/_authenticate', {
          client_secret: clientSecret,
          success: success ? 'true' : 'false',
        })
        .then(function (answer) {
          if (!answer.ok) return failure(answer);
          var result = answer.body;
          if (result.status === 'requires_payment_method' && result.last_payment_error) {
            return {
              error: {
                type: 'invalid_request_error',
                code: 'payment_intent_authentication_failure',
                message:
                  'We are unable to authenticate your payment method. Please choose a ' +
                  'different payment method and try again.',
                payment_intent: result,
              },
            };
          }
          return outcome(result);
        });
    });
  };

  Stripe.prototype._settle = function (answer, clientSecret, handleActions) {
    if (!answer.ok) return Promise.resolve(failure(answer));
    var intent = answer.body;
    if (intent.status === 'requires_action' && handleActions !== false) {
      return this._authenticate(intent, clientSecret);
    }
    return Promise.resolve(outcome(intent));
  };

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options);
  };

  Stripe.prototype.confirmCardPayment = function (clientSecret, data, options) {
    var self = this;
    return new Promise(function (resolve) {
      var intentId = intentIdOf(clientSecret);
      var params = {client_secret: clientSecret};
      var method = data && data.payment_method;
      if (typeof method === 'string') {
        params.payment_method = method;
      } else if (method && method.card instanceof CardElement) {
        var element = method.card;
        if (!element._inputs) {
          throw IntegrationError('The card Element passed to confirmCardPayment is not mounted.');
        }
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
          ._request('POST', '/v1/payment_intents/' + intentId + '/confirm', params)
          .then(function (answer) {
            return self._settle(answer, clientSecret, options && options.handleActions);
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
    return this._getIntent(clientSecret).then(function (answer) {
      return answer.ok ? {paymentIntent: answer.body} : failure(answer);
    });
  };

  Stripe.version = 3;
  Stripe.emulated = true;
  window.Stripe = Stripe;
})();
