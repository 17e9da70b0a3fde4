/**
 * Name resolution for `localhost` and its subdomains (`demo.localhost`), preloaded with
 * `node --require ./loopback_dns.cjs`.
 *
 * RFC 6761 (section 6.3) reserves `localhost` and every name under it for the loopback
 * address, and browsers resolve `*.localhost` so; glibc does not, so Node's `dns.lookup`
 * fails for `demo.localhost` on most Linux machines. This preload answers 127.0.0.1 for
 * those names (IPv4: the test server listens on 127.0.0.1 only) and hands every other name
 * to the real `dns.lookup`. It only resolves names: requests go out unchanged, with their
 * own Host header (`demo.localhost:PORT`), which is what the tenant routing is about.
 *
 * `net` calls `dns.lookup` through the module object at connect time, so replacing the
 * property takes effect for every `http.request` (axios's Node adapter included), also
 * with Node 20's `autoSelectFamily`, which asks for `{all: true}`.
 */
'use strict'

const dns = require('node:dns')

const realLookup = dns.lookup
const LOOPBACK = '127.0.0.1'

function isLoopbackName(hostname) {
	if (typeof hostname !== 'string') return false
	const name = hostname.toLowerCase().replace(/\.$/, '')
	return name === 'localhost' || name.endsWith('.localhost')
}

function loopbackLookup(hostname, options, callback) {
	if (typeof options === 'function') {
		callback = options
		options = {}
	}
	if (!isLoopbackName(hostname)) {
		return realLookup.call(dns, hostname, options, callback)
	}
	const opts = typeof options === 'number' ? { family: options } : options || {}
	if (opts.family === 6) {
		// The server listens on IPv4 only; say so instead of inventing an address.
		const error = new Error(`getaddrinfo ENOTFOUND ${hostname} (IPv6)`)
		error.code = 'ENOTFOUND'
		error.hostname = hostname
		process.nextTick(callback, error)
		return {}
	}
	if (opts.all) {
		process.nextTick(callback, null, [{ address: LOOPBACK, family: 4 }])
	} else {
		process.nextTick(callback, null, LOOPBACK, 4)
	}
	return {}
}

dns.lookup = loopbackLookup
// Also the promise API, for code that resolves names itself.
const realPromiseLookup = dns.promises.lookup
dns.promises.lookup = async function (hostname, options) {
	if (!isLoopbackName(hostname)) return realPromiseLookup.call(dns.promises, hostname, options)
	const opts = typeof options === 'number' ? { family: options } : options || {}
	const answer = { address: LOOPBACK, family: 4 }
	return opts.all ? [answer] : answer
}

module.exports = { isLoopbackName }
