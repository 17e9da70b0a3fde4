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
 */
(function () {
  'use strict';

  function wrap(object) {
    return {
      version: object.version,
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

  window.BoxOfficeBridge = {connect: connect};
})();
