/*
 * The card payment page: Python sends the amount, the publishable key, the intent's client
 * secret and where Stripe.js comes from (Stripe, or the training emulator). The page mounts
 * Stripe's card element, confirms with confirmCardPayment (3-D Secure included) and tells
 * Python the outcome; Python asks the server to reconcile and answers with a state.
 * Its words and money are in the app's language (`t`, `money` from bridge.js; the words are
 * defined in boxoffice/ui/web/page_words.py), and so is Stripe's card element (`locale`).
 */
(function () {
  'use strict';

  var bridge = null;
  var args = null;
  var stripe = null;
  var card = null;
  var cardReady = false;
  var state = 'loading';
  // The page's words and money in the app's language (bridge.js); English until connected.
  var language = 'en';
  var t = window.BoxOfficeBridge.translator('en', {});
  var money = window.BoxOfficeBridge.moneyFormatter('en');

  var $ = function (id) {
    return document.getElementById(id);
  };

  function status(text, paid) {
    $('status').textContent = text;
    $('status').classList.toggle('paid', !!paid);
  }

  function showError(text) {
    $('error').textContent = text;
    $('error').hidden = !text;
  }

  function setState(next) {
    if (bridge && (next === 'processing') !== (state === 'processing')) {
      bridge.call('busy', {busy: next === 'processing'});
    }
    state = next;
    var pay = $('pay');
    pay.disabled = !(cardReady && (next === 'ready' || next === 'retry'));
    if (card) card.update({disabled: next === 'processing' || next === 'paid'});
    if (next === 'ready') {
      status(t('status_ready'));
    } else if (next === 'processing') {
      showError('');
      status(t('status_processing'));
    } else if (next === 'retry') {
      status(t('status_retry'));
      if (card) {
        card.clear();
        card.focus();
      }
    } else if (next === 'paid') {
      showError('');
      status(t('status_paid'), true);
    }
  }

  function loadStripe(url) {
    return new Promise(function (resolve, reject) {
      if (window.Stripe) {
        resolve(window.Stripe);
        return;
      }
      var script = document.createElement('script');
      script.src = url;
      script.onload = function () {
        if (window.Stripe) resolve(window.Stripe);
        else reject(new Error('Stripe.js did not load.'));
      };
      script.onerror = function () {
        reject(new Error('Stripe.js could not be loaded from ' + url + '.'));
      };
      document.head.appendChild(script);
    });
  }

  function start(data) {
    args = data;
    var amount = money(args.amount, args.currency);
    $('amount').textContent = amount;
    $('pay').textContent = t('pay_amount', {amount: amount});
    $('order').textContent = args.order_code ? t('order', {code: args.order_code}) : '';
    if (card) {
      setState('ready');
      return;
    }
    loadStripe(args.stripe_js_url).then(function (StripeJs) {
      stripe = StripeJs(args.publishable_key);
      // Stripe writes the card element's placeholders and errors in the app's language.
      card = stripe.elements({locale: language}).create('card', {hidePostalCode: true});
      card.on('change', function (event) {
        $('field-error').textContent = event.error ? event.error.message : '';
      });
      card.on('ready', function () {
        cardReady = true;
        setState('ready');
        card.focus();
      });
      card.mount('#card');
    }, function (err) {
      status('');
      showError(t('card_form_failed'));
      console.error(err.message);
      if (bridge) bridge.call('failed', {type: 'api_connection_error', code: 'stripe_js_unavailable'});
    });
  }

  function pay(event) {
    event.preventDefault();
    if (!stripe || !card || !(state === 'ready' || state === 'retry')) return;
    setState('processing');
    stripe.confirmCardPayment(args.client_secret, {payment_method: {card: card}}).then(
      function (result) {
        var error = result.error;
        if (error && error.type === 'validation_error') {
          $('field-error').textContent = error.message;
          setState('ready');
          card.focus();
          return;
        }
        if (error) {
          showError(error.message || t('card_refused'));
          status(t('status_checking'));
          bridge.call('failed', {
            type: String(error.type || 'card_error'),
            code: error.code ? String(error.code) : null,
            decline_code: error.decline_code ? String(error.decline_code) : null,
            message: error.message ? String(error.message).slice(0, 500) : null,
          });
          return;
        }
        var intent = result.paymentIntent;
        if (intent.status === 'succeeded' || intent.status === 'processing') {
          status(t('status_accepted'), true);
          bridge.call('succeeded', {payment_intent: intent.id, status: intent.status});
        } else {
          bridge.call('failed', {type: 'unexpected_status', code: String(intent.status)});
        }
      },
      function (err) {
        console.error('confirmCardPayment: ' + err);
        bridge.call('failed', {type: 'api_error', code: null, message: String(err).slice(0, 500)});
      }
    );
  }

  $('pay-form').addEventListener('submit', pay);

  window.BoxOfficeBridge.connect(1).then(function (connected) {
    bridge = connected;
    language = bridge.language;
    t = bridge.t;
    money = bridge.money;
    bridge.on('start', start);
    bridge.on('state', function (data) {
      setState(data.state);
    });
    bridge.on('notice', function (data) {
      if (data.level === 'error') showError(data.text);
      else status(data.text);
    });
    bridge.call('ready', {});
  }, function (err) {
    showError(err.message);
  });

  // For tests and diagnostics.
  window.paymentPage = {
    state: function () {
      return state;
    },
    error: function () {
      return $('error').hidden ? '' : $('error').textContent;
    },
  };
})();
