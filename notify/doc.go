// Package notify delivers the outbox: events the service writes in the same
// transaction as each change (sird.Tx.AddEvent) are expanded into one
// delivery per e-mail recipient and per webhook, and a Worker sends them
// outside the request path, retrying with backoff until they are delivered
// or, after too many attempts, marked dead (kept and visible, never dropped).
//
// Delivery is at least once: a node that dies after sending but before
// recording success causes a resend. Receivers recognise resends by the
// event ID (Message-ID and X-Sird-Event-Id for mail, the "id" field and
// X-Sird-Event-Id for webhooks). Order across events is not guaranteed once a
// delivery has to be retried.
//
// The persistence is the small Queue interface; QUEUE.md describes the SQL
// a store implements it with.
package notify
