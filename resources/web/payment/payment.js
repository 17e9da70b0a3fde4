/*
 * The card payment page: Python sends the amount, the publishable key, the intent's client
 * secret and where Stripe.js comes from (Stripe, or the training emulator). The page mounts
 * Stripe's card element, confirms with confirmCardPayment (3-D Secure included) and tells
 * Python the outcome; Python asks the server to reconcile and answers with a state.
 */
(function () {
  'use strict';

  var bridge = null;
  var args = null;
  var stripe = null;
  var card = null;
  var cardReady = false;
  var state = 'loading';

  var $ = function (id) {
    return document.getElementById(id);
  };

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(undefined, {style: 'currency', currency: currency})
        .format(Number(amount));
    } catch (err) {
      return amount + ' ' + currency;
    }
  }

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
      status('Type or insert the card details, then press Pay (Enter).');
    } else if (next === 'processing') {
      showError('');
      status('Processing the card… do not close this window.');
    } else if (next === 'retry') {
      status('Try again with the same or another card.');
      if (card) {
        card.clear();
        card.focus();
      }
    } else if (next === 'paid') {
      showError('');
      status('Paid. Printing the tickets…', true);
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
    $('pay').textContent = 'Pay ' + amount;
    $('order').textContent = args.order_code ? 'Order ' + args.order_code : '';
    if (card) {
      setState('ready');
      return;
    }
    loadStripe(args.stripe_js_url).then(function (StripeJs) {
      stripe = StripeJs(args.publishable_key);
      card = stripe.elements().create('card', {hidePostalCode: true});
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
      showError('The card form could not be loaded. Take another way to pay.');
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
          showError(error.message || 'The card was not accepted.');
          status('Checking with the server…');
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
          status('Card accepted. Finishing the sale…', true);
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
