"""Payment providers: the ways an order is paid (free, cash at the counter, Stripe cards).

`base.py` holds what every provider shares (`PaymentRequest`, `PaymentResult`,
`PaymentProvider`); `registry.py` maps a payment `type` such as ``"card"`` to its provider.
A provider records its payment and nothing more: checking that the order may be paid, and
marking it paid with its tickets, is `services.payments`' work.
"""
