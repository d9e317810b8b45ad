package notify

import (
	"slices"
	"strings"

	"github.com/sird-project/sird"
)

// Webhook routes events to an operator-registered endpoint by name.
type Webhook struct {
	Name string
	// Events are the event types sent; empty means every event.
	Events []string
}

// Recipients returns the addresses the event is mailed to, lowercase, in
// first-appearance order. A recipient with no preferences gets every event,
// otherwise only the listed types. An address listed more than once (a
// watcher who is also a responder) gets one mail if any listing wants it:
// the union of the preferences, where empty means all.
func Recipients(e sird.Event) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range e.Recipients {
		addr := strings.ToLower(strings.TrimSpace(r.Email))
		if addr == "" || seen[addr] || !wants(r.Preferences, e.Type) {
			continue
		}
		seen[addr] = true
		out = append(out, addr)
	}
	return out
}

// Plan returns the targets of an event: its recipients when e-mail is
// enabled, and every webhook whose filter takes the event type.
func Plan(e sird.Event, email bool, hooks []Webhook) []Target {
	var out []Target
	if email {
		for _, a := range Recipients(e) {
			out = append(out, Target{Channel: ChannelEmail, Target: a})
		}
	}
	for _, h := range hooks {
		if wants(h.Events, e.Type) {
			out = append(out, Target{Channel: ChannelWebhook, Target: h.Name})
		}
	}
	return out
}

// wants reports whether a preference list takes the event type. Types are
// matched ignoring case, as people type them into configuration.
func wants(prefs []string, eventType string) bool {
	return len(prefs) == 0 || slices.ContainsFunc(prefs, func(p string) bool {
		return strings.EqualFold(strings.TrimSpace(p), eventType)
	})
}
