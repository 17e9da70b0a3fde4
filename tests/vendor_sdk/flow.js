/**
 * Conformance flow: Tickethead's own JavaScript SDK (`bam-ticketing-sdk`, pinned in
 * package.json) unchanged, against a real Box Office venue server over loopback HTTP.
 *
 * Run by tests/end2end/test_vendor_sdk.py; by hand:
 *   BOXOFFICE_URL=http://127.0.0.1:8765 BOXOFFICE_STAFF_USER=clerk \
 *   BOXOFFICE_STAFF_PASSWORD=... BOXOFFICE_PAID_TICKET_CONFIG_ID=1 \
 *   BOXOFFICE_FREE_TICKET_CONFIG_ID=12 BOXOFFICE_PAID_EVENT_ID=1 BOXOFFICE_FREE_EVENT_ID=5 node --require ./loopback_dns.cjs flow.js
 *
 * Environment:
 *   BOXOFFICE_URL                   base URL of the venue server (no tenant domain)
 *   BOXOFFICE_STAFF_USER/_PASSWORD  a staff sign-in
 *   BOXOFFICE_ORGANIZER             the organizer's name (default `demo`)
 *   BOXOFFICE_PAID_TICKET_CONFIG_ID a ticket config on sale with a price, 2 per order allowed
 *   BOXOFFICE_FREE_TICKET_CONFIG_ID a ticket config on sale at 0, 2 per order allowed
 *   BOXOFFICE_PAID_EVENT_ID / BOXOFFICE_FREE_EVENT_ID  the events of those two configs
 *   BOXOFFICE_PUBLIC_EVENTS         how many events the public sees (paging.total lower bound)
 *   BOXOFFICE_TICKETS_FILE          where to write the downloaded tickets (Python compares)
 *   BOXOFFICE_TENANT_URL            optional: a server started with tenant domain `localhost`,
 *                                   as http://localhost:PORT (needs loopback_dns.cjs preloaded)
 *   BOXOFFICE_TENANT_TICKET_CONFIG_ID  a paid ticket config on that server
 *
 * Every step runs on its own: a failure is recorded (message, errorCode, statusCode, the
 * request, stack) and the later steps still run where what they need exists. Prints one
 * JSON report on stdout: {"steps": {"<name>": {"ok", "error", "result"}}}.
 *
 * Nothing here rewrites a request: the SDK builds and sends every call itself. The only
 * hook is a response interceptor that notes which host answered (observation only).
 */
'use strict'

const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const dns = require('node:dns')
const fs = require('node:fs')

const { BAM, GuestCredentials, PasswordCredentials, ApiError } = require('bam-ticketing-sdk')

const env = process.env
const BASE_URL = required('BOXOFFICE_URL')
const STAFF_USER = required('BOXOFFICE_STAFF_USER')
const STAFF_PASSWORD = required('BOXOFFICE_STAFF_PASSWORD')
const ORGANIZER = env.BOXOFFICE_ORGANIZER || 'demo'
const PAID_CONFIG = Number(required('BOXOFFICE_PAID_TICKET_CONFIG_ID'))
const FREE_CONFIG = Number(required('BOXOFFICE_FREE_TICKET_CONFIG_ID'))
const PAID_EVENT = Number(required('BOXOFFICE_PAID_EVENT_ID'))
const FREE_EVENT = Number(required('BOXOFFICE_FREE_EVENT_ID'))
const PUBLIC_EVENTS = Number(env.BOXOFFICE_PUBLIC_EVENTS || '1')
const TICKETS_FILE = env.BOXOFFICE_TICKETS_FILE
const TENANT_URL = env.BOXOFFICE_TENANT_URL
const TENANT_CONFIG = Number(env.BOXOFFICE_TENANT_TICKET_CONFIG_ID || PAID_CONFIG)

const ORDER_STATUSES = [
	'draft',
	'payment_processing',
	'payment_failed',
	'paid',
	'partially_refunded',
	'refunded',
]
const RUN = crypto.randomBytes(4).toString('hex') // keeps e-mail addresses unique per run
const BOGUS_ID = 999999

function required(name) {
	const value = env[name]
	if (!value) {
		process.stderr.write(`flow.js: ${name} is not set\n`)
		process.exit(2)
	}
	return value
}

// ---------------------------------------------------------------- step bookkeeping

const report = { steps: {} }
const ctx = {} // what earlier steps made, for later ones

/** `ctx[key]`, or a failure naming the step that should have made it. */
function need(key) {
	if (ctx[key] === undefined) {
		throw new Error(`not run: needs "${key}" from an earlier step, which failed`)
	}
	return ctx[key]
}

function describeError(error) {
	if (!(error instanceof Error)) return { message: String(error) }
	const out = {
		type: error.constructor?.name,
		message: error.message,
		errorCode: error.errorCode,
		statusCode: error.statusCode,
	}
	if (error instanceof ApiError) {
		out.method = error.method
		out.url = error.url
		out.requestBody = error.data
	}
	if (error.code) out.code = error.code
	if (error.actual !== undefined || error.expected !== undefined) {
		out.actual = safe(error.actual)
		out.expected = safe(error.expected)
	}
	out.stack = error.stack
	return out
}

/** JSON-safe copy (Dates as ISO strings, Buffers summarised). */
function safe(value) {
	try {
		return JSON.parse(
			JSON.stringify(value, (_key, v) =>
				v && v.type === 'Buffer' && Array.isArray(v.data) ? `<${v.data.length} bytes>` : v
			)
		)
	} catch (e) {
		return String(value)
	}
}

async function step(name, body) {
	const started = Date.now()
	try {
		const result = await body()
		report.steps[name] = { ok: true, error: null, result: safe(result ?? null) }
	} catch (error) {
		report.steps[name] = { ok: false, error: describeError(error), result: null }
	}
	report.steps[name].ms = Date.now() - started
}

/** Runs `call`, which must fail with an ApiError; returns that error. */
async function apiFailure(call) {
	let answer
	try {
		answer = await call()
	} catch (error) {
		if (!(error instanceof ApiError)) throw error
		return error
	}
	assert.fail(`expected an ApiError, got an answer: ${JSON.stringify(safe(answer))}`)
}

function errorSummary(error) {
	return { message: error.message, errorCode: error.errorCode, statusCode: error.statusCode }
}

function assertErrorCode(error) {
	assert.equal(typeof error.errorCode, 'string', `errorCode missing: ${error.message}`)
	assert.ok(error.errorCode.length > 0, 'errorCode is empty')
}

function assertPaging(list) {
	assert.ok(Array.isArray(list.data), `data is not an array: ${JSON.stringify(safe(list))}`)
	assert.equal(typeof list.paging, 'object', 'paging missing')
	for (const key of ['limit', 'offset', 'total']) {
		assert.equal(typeof list.paging[key], 'number', `paging.${key} is not a number`)
	}
}

const ids = (list) => list.data.map((o) => o.id)

function contact(kind, extra = {}) {
	return {
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: `sdk-${kind}-${RUN}@example.com`,
		billingEmail: `sdk-${kind}-billing-${RUN}@example.com`,
		...extra,
	}
}

function orderRequest(ticketConfigId, extra = {}) {
	return { format: 'PDF', orderItem: [{ quantity: 2, ticketConfigId }], ...extra }
}

/** Notes the Host each answer came from, on both axios instances of `bam` (read only). */
function watchHosts(bam) {
	const hosts = []
	for (const client of [bam.client, bam.tenantClient]) {
		client.interceptors.response.use((response) => {
			const host = response.request?.getHeader?.('host') ?? response.request?.host
			hosts.push(`${response.config.method?.toUpperCase()} ${host} ${response.config.url}`)
			return response
		})
	}
	return hosts
}

// ---------------------------------------------------------------- the flow

async function main() {
	// 1. Guest sign-in.
	await step('guest_login', async () => {
		const guest = await BAM.build({ baseUrl: BASE_URL })
		const jwt = await guest.authorize()
		assert.equal(typeof jwt.token, 'string')
		assert.equal(guest.getToken().token, jwt.token)
		assert.ok(guest.credentials instanceof GuestCredentials)
		ctx.guest = guest
		return { tokenPayload: BAM.getTokenPayload(jwt.token) }
	})

	// 2. Staff sign-in with username and password.
	await step('staff_login', async () => {
		const staff = await BAM.build({
			baseUrl: BASE_URL,
			credentials: new PasswordCredentials({ username: STAFF_USER, password: STAFF_PASSWORD }),
		})
		const jwt = staff.getToken()
		assert.equal(typeof jwt.token, 'string')
		assert.equal(typeof jwt.refreshToken, 'string', 'no refreshToken in the login answer')
		ctx.staff = staff
		const payload = BAM.getTokenPayload(jwt.token)
		ctx.staffUserId = payload.id ?? payload.sub
		return { tokenPayload: BAM.getTokenPayload(jwt.token), keys: Object.keys(jwt) }
	})

	// 3. Public event list.
	await step('list_events', async () => {
		const list = await need('guest').event.listEvents()
		assertPaging(list)
		assert.ok(list.data.length > 0, 'no public events')
		assert.ok(list.paging.total >= PUBLIC_EVENTS, `paging.total ${list.paging.total}`)
		ctx.events = list.data
		return { count: list.data.length, paging: list.paging, first: list.data[0] }
	})

	await step('list_events_with_ticket_config', async () => {
		// The SDK writes `with` keys as given (EventAttribute's keys are snake_case).
		const list = await need('guest').event.listEvents({ with: { ticket_config: true } })
		assertPaging(list)
		const withConfigs = list.data.filter((e) => Array.isArray(e.ticketConfig))
		assert.equal(withConfigs.length, list.data.length, 'events without ticketConfig[]')
		const configsOf = (id) =>
			(withConfigs.find((e) => e.id === id)?.ticketConfig ?? []).map((c) => c.id)
		assert.ok(configsOf(PAID_EVENT).includes(PAID_CONFIG), `config ${PAID_CONFIG} not listed`)
		assert.ok(configsOf(FREE_EVENT).includes(FREE_CONFIG), `config ${FREE_CONFIG} not listed`)
		return { paidEvent: configsOf(PAID_EVENT), freeEvent: configsOf(FREE_EVENT) }
	})

	// 4. The organizer's events, paged.
	await step('list_organizer_events_paging', async () => {
		const event = need('guest').event
		const first = await event.listOrganizerEvents({ name: ORGANIZER }, { limit: 1, offset: 0 })
		assertPaging(first)
		assert.equal(first.data.length, 1)
		assert.ok(first.paging.total >= PUBLIC_EVENTS, `paging.total ${first.paging.total}`)
		const second = await event.listOrganizerEvents({ name: ORGANIZER }, { limit: 1, offset: 1 })
		assertPaging(second)
		assert.equal(second.data.length, 1)
		assert.notEqual(second.data[0].id, first.data[0].id, 'offset 1 gave the same event')
		assert.equal(second.paging.offset, 1)
		return { first: first.paging, second: second.paging }
	})

	// 5. One event, public and organizer view.
	await step('get_event', async () => {
		const id = PAID_EVENT
		const bam = need('guest')
		const event = await bam.event.getEvent({ id, with: { ticket_config: true } })
		assert.equal(event.id, id)
		assert.ok(Array.isArray(event.ticketConfig), 'ticketConfig missing')
		assert.ok(event.ticketConfig.some((c) => c.id === PAID_CONFIG))
		// Without `with` the SDK asks for its default set, including ones we may not have.
		const plain = await bam.event.getEvent({ id })
		assert.equal(plain.id, id)
		return { name: event.name, ticketConfig: event.ticketConfig.length }
	})

	await step('get_organizer_event', async () => {
		const id = PAID_EVENT
		const event = await need('guest').event.getOrganizerEvent(
			{ id, organizerId: ORGANIZER },
			{ with: { ticket_config: true } }
		)
		assert.equal(event.id, id)
		assert.ok(Array.isArray(event.ticketConfig), 'ticketConfig missing')
		return { name: event.name }
	})

	// 6. Orders: one without contact, one with an inline contact.
	await step('create_order_without_contact', async () => {
		const order = await need('guest').order.createOrder(orderRequest(PAID_CONFIG))
		assert.equal(typeof order.id, 'number')
		assert.ok(ORDER_STATUSES.includes(order.status), `status ${order.status}`)
		ctx.orderA = order
		// Without a contact the SDK still sets `orderContact`: to the order's own data.
		const contactIsOrder = order.orderContact?.id === order.id
		return { id: order.id, status: order.status, total: order.total, contactIsOrder }
	})

	await step('create_order_with_inline_contact', async () => {
		const orderContact = contact('inline', { businessName: 'ACME s.r.o.' })
		const order = await need('guest').order.createOrder(
			orderRequest(PAID_CONFIG, { orderContact })
		)
		assert.equal(typeof order.id, 'number')
		// The SDK posts the contact inline *and* again to /order_contact; it returns the latter.
		assert.equal(order.orderContact.email, orderContact.email)
		assert.equal(order.orderContact.businessName, 'ACME s.r.o.')
		ctx.orderB = order
		ctx.orderBEmail = orderContact.email
		return { id: order.id, orderContact: order.orderContact }
	})

	// 7. Contact on an existing order; unknown fields are refused.
	await step('order_contact_unknown_field_refused', async () => {
		const { id } = need('orderA')
		const error = await apiFailure(() =>
			need('guest').order.createOrderContact({ id }, contact('unknown', { nickname: 'Ada' }))
		)
		assert.equal(error.statusCode, 422, error.message)
		return errorSummary(error)
	})

	await step('create_order_contact', async () => {
		const { id } = need('orderA')
		const sent = contact('contact', { businessName: 'ACME s.r.o.', phone: '+43 1 234567' })
		const answer = await need('guest').order.createOrderContact({ id }, sent)
		assert.equal(answer.email, sent.email)
		assert.equal(answer.businessName, 'ACME s.r.o.')
		assert.equal(answer.firstName, 'Ada')
		ctx.orderAEmail = sent.email
		return answer
	})

	// 8. Card payment in training mode.
	await step('payment_publishable_key', async () => {
		const config = await need('guest').payment.getPublishableKey()
		assert.equal(typeof config.publishableKey, 'string')
		assert.match(config.publishableKey, /^pk_/)
		return config
	})

	await step('card_payment_intent', async () => {
		const { id } = need('orderA')
		const answer = await need('guest').payment.createStripePaymentForOrder({
			orderId: id,
			type: 'card',
		})
		assert.match(answer.publishableKey ?? '', /^pk_/, 'publishableKey')
		assert.equal(typeof answer.paymentIntent?.clientSecret, 'string', 'clientSecret')
		return {
			publishableKey: answer.publishableKey,
			paymentIntent: {
				id: answer.paymentIntent.id,
				status: answer.paymentIntent.status,
				amount: answer.paymentIntent.amount,
				currency: answer.paymentIntent.currency,
			},
		}
	})

	await step('payment_health', async () => {
		const health = await need('guest').payment.health()
		assert.deepEqual(health, { online: true })
		return health
	})

	await step('cluster_health', async () => {
		const health = await need('guest').health()
		assert.equal(health.payment.online, true, 'payment offline')
		assert.equal(health.event.online, true, 'event offline')
		assert.equal(health.account.online, true, 'account offline')
		return health
	})

	// 9. A free order, paid at once.
	await step('free_order_paid_at_once', async () => {
		const bam = need('guest')
		const order = await bam.order.createOrder(orderRequest(FREE_CONFIG))
		ctx.freeOrderDraft = order
		const answer = await bam.payment.createStripePaymentForOrder({ orderId: order.id })
		const after = await bam.order.getOrder({ id: order.id })
		assert.equal(after.status, 'paid', `status after payment: ${after.status}`)
		ctx.freeOrder = after
		return { id: order.id, paymentAnswer: answer, status: after.status }
	})

	// 10. The paid order with its tickets.
	await step('get_order_with_tickets', async () => {
		const { id } = need('freeOrder')
		const order = await need('guest').order.getOrder({ id, with: { order_item: { ticket: true } } })
		assert.equal(order.id, id)
		assert.ok(ORDER_STATUSES.includes(order.status), `status ${order.status}`)
		assert.equal(order.status, 'paid')
		assert.ok(order.ownerId !== undefined && order.ownerId !== null, 'ownerId missing')
		assert.ok(order.ownerType, 'ownerType missing')
		assert.ok(Array.isArray(order.orderItem) && order.orderItem.length > 0, 'orderItem')
		const item = order.orderItem[0]
		assert.equal(typeof item.price, 'number', `price ${JSON.stringify(item.price)}`)
		assert.ok(Array.isArray(item.ticket), 'orderItem[0].ticket is not an array')
		assert.equal(item.ticket.length, 2)
		ctx.guestOwnerId = order.ownerId
		return {
			status: order.status,
			ownerId: order.ownerId,
			ownerType: order.ownerType,
			price: item.price,
			tickets: item.ticket.map((t) => t.id),
		}
	})

	// 11. Listing orders: staff with each filter, then guests.
	await step('staff_create_order', async () => {
		const order = await need('staff').order.createOrder(orderRequest(PAID_CONFIG))
		ctx.staffOrder = order
		return { id: order.id }
	})

	await step('list_orders_by_id', async () => {
		const own = await need('staff').order.listOrders({ id: need('staffOrder').id })
		assertPaging(own)
		assert.deepEqual(ids(own), [ctx.staffOrder.id])
		const others = await ctx.staff.order.listOrders({
			id: need('freeOrder').id,
			include_not_owned: true,
		})
		assert.deepEqual(ids(others), [ctx.freeOrder.id])
		assert.equal(others.paging.total, 1)
		return { own: ids(own), others: ids(others) }
	})

	await step('list_orders_by_contact_email', async () => {
		const list = await need('staff').order.listOrders({
			contact_email: need('orderBEmail'),
			include_not_owned: true,
		})
		assertPaging(list)
		assert.deepEqual(ids(list), [need('orderB').id])
		return { ids: ids(list), paging: list.paging }
	})

	await step('list_orders_by_event', async () => {
		const freeOrder = need('freeOrder')
		const list = await need('staff').order.listOrders({
			event_id: FREE_EVENT,
			include_not_owned: true,
		})
		assertPaging(list)
		assert.ok(ids(list).includes(freeOrder.id), 'the free order is missing')
		assert.ok(!ids(list).includes(need('orderA').id), 'an order of another event is listed')
		return { ids: ids(list), paging: list.paging }
	})

	await step('list_orders_include_not_owned', async () => {
		const staff = need('staff')
		const guestOrders = [need('orderA').id, need('orderB').id, need('freeOrder').id]
		const own = await staff.order.listOrders({ limit: 100 })
		assertPaging(own)
		for (const id of guestOrders) {
			assert.ok(!ids(own).includes(id), `a guest's order ${id} listed without include_not_owned`)
		}
		assert.ok(ids(own).includes(need('staffOrder').id), "staff's own order missing")
		for (const order of own.data) {
			assert.equal(String(order.ownerId), String(ctx.staffUserId), `order ${order.id} owner`)
		}
		const all = await staff.order.listOrders({ include_not_owned: true, limit: 100 })
		assertPaging(all)
		for (const id of [...guestOrders, ctx.staffOrder.id]) {
			assert.ok(ids(all).includes(id), `order ${id} missing with include_not_owned`)
		}
		return { own: ids(own), all: ids(all), totals: [own.paging.total, all.paging.total] }
	})

	await step('list_orders_sort', async () => {
		const staff = need('staff')
		const query = { include_not_owned: true, limit: 100 }
		const ascending = await staff.order.listOrders({ ...query, sort_by: 'id' })
		const descending = await staff.order.listOrders({ ...query, sort_by: '-id' })
		const byDirection = await staff.order.listOrders({
			...query,
			sort_by: 'id',
			direction: 'desc',
		})
		const up = ids(ascending)
		assert.ok(up.length >= 4, `only ${up.length} orders`)
		assert.deepEqual(up, [...up].sort((a, b) => a - b), 'sort_by=id is not ascending')
		assert.deepEqual(ids(descending), [...up].reverse(), 'sort_by=-id is not descending')
		assert.deepEqual(ids(byDirection), [...up].reverse(), 'direction=desc is not descending')
		return { ascending: up, descending: ids(descending), byDirection: ids(byDirection) }
	})

	await step('list_orders_by_organizer', async () => {
		const staff = need('staff')
		const query = { include_not_owned: true, limit: 100 }
		const everything = await staff.order.listOrders(query)
		const mine = await staff.order.listOrders({ ...query, organizer_id: ORGANIZER })
		const nobody = await staff.order.listOrders({ ...query, organizer_id: 'nobody' })
		assertPaging(mine)
		assertPaging(nobody)
		assert.deepEqual(ids(mine), ids(everything))
		assert.equal(mine.paging.total, everything.paging.total)
		assert.deepEqual(nobody.data, [])
		assert.equal(nobody.paging.total, 0)
		return { organizer: mine.paging, nobody: nobody.paging }
	})

	await step('list_orders_paging', async () => {
		const staff = need('staff')
		const first = await staff.order.listOrders({ include_not_owned: true, limit: 1, offset: 0 })
		const second = await staff.order.listOrders({ include_not_owned: true, limit: 1, offset: 1 })
		assertPaging(first)
		assertPaging(second)
		assert.equal(first.data.length, 1)
		assert.equal(second.data.length, 1)
		assert.notEqual(first.data[0].id, second.data[0].id)
		assert.ok(first.paging.total >= 4, `paging.total ${first.paging.total}`)
		assert.equal(first.paging.limit, 1)
		assert.equal(second.paging.offset, 1)
		return { first: first.paging, second: second.paging }
	})

	await step('list_orders_guest_own_only', async () => {
		const guest = need('guest')
		const mine = await guest.order.listOrders()
		assertPaging(mine)
		const expected = [need('orderA').id, need('orderB').id, need('freeOrder').id]
		assert.deepEqual([...ids(mine)].sort((a, b) => a - b), expected.sort((a, b) => a - b))
		const stranger = await BAM.build({ baseUrl: BASE_URL })
		await stranger.authorize()
		const theirs = await stranger.order.listOrders()
		assertPaging(theirs)
		assert.deepEqual(theirs.data, [])
		assert.equal(theirs.paging.total, 0)
		// Another guest may not read the order either.
		const error = await apiFailure(() => stranger.order.getOrder({ id: ctx.freeOrder.id }))
		return { mine: ids(mine), stranger: ids(theirs), strangerGetOrder: errorSummary(error) }
	})

	// 12. The tickets of the paid order.
	await step('download_tickets', async () => {
		const guest = need('guest')
		const { id } = need('freeOrder')
		const data = await guest.order.downloadTickets({ id })
		// `responseType: 'blob'` gives a Blob in a browser; axios's Node adapter knows no
		// blob and hands back the body decoded as UTF-8 text (invalid bytes become U+FFFD).
		// Written out as the UTF-8 of that text: exactly what a Node caller of the SDK holds.
		const kind = Object.prototype.toString.call(data)
		let bytes
		let replaced = 0
		if (Buffer.isBuffer(data)) bytes = data
		else if (data instanceof ArrayBuffer) bytes = Buffer.from(data)
		else if (typeof Blob !== 'undefined' && data instanceof Blob)
			bytes = Buffer.from(await data.arrayBuffer())
		else if (typeof data === 'string') {
			bytes = Buffer.from(data, 'utf8')
			replaced = (data.match(/\uFFFD/g) ?? []).length
		} else assert.fail(`unexpected download type ${kind}`)
		if (TICKETS_FILE) fs.writeFileSync(TICKETS_FILE, bytes)
		assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'not a PDF')
		return {
			orderId: id,
			kind,
			replacementCharacters: replaced,
			size: bytes.length,
			sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
			// For the Python side's download with the same token (a loopback test server's).
			token: guest.getToken().token,
		}
	})

	// 13./14. Errors carry an errorCode.
	await step('error_code_not_found', async () => {
		const error = await apiFailure(() => need('guest').order.getOrder({ id: BOGUS_ID }))
		assert.equal(error.statusCode, 404, error.message)
		assertErrorCode(error)
		return errorSummary(error)
	})

	await step('payment_on_paid_order_refused', async () => {
		const { id } = need('freeOrder')
		const error = await apiFailure(() =>
			need('guest').payment.createStripePaymentForOrder({ orderId: id, type: 'card' })
		)
		assert.ok(error.statusCode >= 400 && error.statusCode < 500, `status ${error.statusCode}`)
		assertErrorCode(error)
		return errorSummary(error)
	})

	await step('payment_on_bogus_order_refused', async () => {
		const error = await apiFailure(() =>
			need('guest').payment.createStripePaymentForOrder({ orderId: BOGUS_ID, type: 'card' })
		)
		assert.equal(error.statusCode, 404, error.message)
		assertErrorCode(error)
		return errorSummary(error)
	})

	// 15a. useOrganizer on a server without a tenant domain: calls stay on the base URL.
	// Refunds at the vendor's path with the vendor's body: one ticket, then the rest.
	await step('refund_order', async () => {
		const guest = need('guest')
		const staff = need('staff')
		const order = await guest.order.createOrder(orderRequest(FREE_CONFIG))
		await guest.payment.createStripePaymentForOrder({ orderId: order.id })
		const paid = await guest.order.getOrder({ id: order.id, with: { order_item: { ticket: true } } })
		const ticketIds = paid.orderItem.flatMap((item) => item.ticket.map((t) => t.id))
		assert.equal(ticketIds.length, 2)
		const first = await staff.order.refundOrder({ id: order.id }, { ticketIds: [ticketIds[0]] })
		assert.equal(first.success, true, JSON.stringify(first))
		const partly = await guest.order.getOrder({ id: order.id })
		assert.equal(partly.status, 'partially_refunded')
		const rest = await staff.order.refundOrder({ id: order.id })
		assert.equal(rest.success, true, JSON.stringify(rest))
		const refunded = await guest.order.getOrder({ id: order.id })
		assert.equal(refunded.status, 'refunded')
		assert.ok(ORDER_STATUSES.includes(refunded.status))
		const again = await apiFailure(() => staff.order.refundOrder({ id: order.id }))
		assertErrorCode(again)
		return { orderId: order.id, statuses: [partly.status, refunded.status], again: errorSummary(again) }
	})

	await step('tenant_use_organizer_base_host', async () => {
		const staff = await BAM.build({
			baseUrl: BASE_URL,
			credentials: new PasswordCredentials({ username: STAFF_USER, password: STAFF_PASSWORD }),
		})
		await staff.useOrganizer(ORGANIZER) // signs in again, now with organizer_id
		assert.equal(staff.organizer, ORGANIZER)
		assert.equal(staff.tenantClient.defaults.baseURL, BASE_URL)
		assert.equal(staff.client.defaults.baseURL, BASE_URL)
		ctx.baseHostStaff = staff
		return { tenant: staff.tenant ?? null, baseURL: staff.tenantClient.defaults.baseURL }
	})

	await step('tenant_base_host_list_organizer_events', async () => {
		const staff = need('baseHostStaff')
		const hosts = watchHosts(staff)
		const list = await staff.event.listOrganizerEvents({ name: ORGANIZER })
		assertPaging(list)
		assert.ok(list.data.length > 0)
		const host = new URL(BASE_URL).host
		assert.ok(hosts.every((h) => h.includes(` ${host} `)), hosts.join('; '))
		return { count: list.data.length, hosts }
	})

	// 15b. A server with tenant domain `localhost`: the organizer's own subdomain.
	if (TENANT_URL) {
		const tenantHost = (() => {
			const url = new URL(TENANT_URL)
			return `${url.protocol}//${ORGANIZER}.${url.host}`
		})()

		await step('tenant_dns_preload', async () => {
			const name = new URL(tenantHost).hostname
			const answer = await dns.promises.lookup(name)
			assert.equal(answer.address, '127.0.0.1', `${name} resolves to ${answer.address}`)
			return { name, answer }
		})

		await step('tenant_subdomain_use_organizer', async () => {
			const bam = await BAM.build({ baseUrl: TENANT_URL })
			await bam.authorize()
			await bam.useOrganizer(ORGANIZER)
			assert.equal(bam.tenant, ORGANIZER, 'organization_name is not the organizer name')
			assert.equal(bam.tenantClient.defaults.baseURL, tenantHost)
			assert.equal(bam.client.defaults.baseURL, TENANT_URL)
			ctx.tenantGuest = bam
			ctx.tenantHosts = watchHosts(bam)
			return { tenant: bam.tenant, baseURL: bam.tenantClient.defaults.baseURL }
		})

		await step('tenant_subdomain_list_organizer_events', async () => {
			const bam = need('tenantGuest')
			const list = await bam.event.listOrganizerEvents({ name: ORGANIZER }, { limit: 2 })
			assertPaging(list)
			assert.ok(list.data.length > 0)
			const expected = new URL(tenantHost).host
			assert.ok(ctx.tenantHosts.some((h) => h.includes(` ${expected} `)), ctx.tenantHosts.join('; '))
			return { count: list.data.length, paging: list.paging, hosts: [...ctx.tenantHosts] }
		})

		await step('tenant_subdomain_create_order', async () => {
			const bam = need('tenantGuest')
			const order = await bam.order.createOrder(orderRequest(TENANT_CONFIG))
			const again = await bam.order.getOrder({ id: order.id })
			assert.equal(again.id, order.id)
			const expected = new URL(tenantHost).host
			const orderCalls = ctx.tenantHosts.filter((h) => h.includes('order'))
			assert.ok(orderCalls.length >= 2, ctx.tenantHosts.join('; '))
			assert.ok(orderCalls.every((h) => h.includes(` ${expected} `)), orderCalls.join('; '))
			return { id: order.id, status: again.status, hosts: orderCalls }
		})
	}
}

main()
	.catch((error) => {
		report.fatal = describeError(error)
	})
	.finally(() => {
		// Exit once the report is out: kept-alive sockets must not hold the process open.
		process.stdout.write(JSON.stringify(report) + '\n', () => process.exit(0))
	})
