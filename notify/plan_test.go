package notify_test

import (
	"slices"
	"testing"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
)

func TestRecipients(t *testing.T) {
	r := func(email string, prefs ...string) sird.Recipient {
		return sird.Recipient{Email: email, Preferences: prefs}
	}
	tests := []struct {
		name string
		typ  string
		rs   []sird.Recipient
		want []string
	}{
		{"no preferences gets everything", sird.EventCaseStatusUpdated, []sird.Recipient{r("a@x.test"), r("b@x.test")}, []string{"a@x.test", "b@x.test"}},
		{"preferences filter", sird.EventCaseStatusUpdated,
			[]sird.Recipient{r("a@x.test", sird.EventCaseClosed), r("b@x.test", sird.EventCaseClosed, sird.EventCaseStatusUpdated)}, []string{"b@x.test"}},
		{"preference matching ignores case", sird.EventCaseClosed, []sird.Recipient{r("a@x.test", "case closed")}, []string{"a@x.test"}},
		{"duplicate address mailed once, lowercase", sird.EventCaseCreated, []sird.Recipient{r("Alice@X.test"), r("alice@x.test ")}, []string{"alice@x.test"}},
		{"watcher without preferences wins over responder preferences", sird.EventCaseCommentAdded,
			[]sird.Recipient{r("alice@x.test", sird.EventCaseClosed), r("ALICE@x.test")}, []string{"alice@x.test"}},
		{"union of preferences", sird.EventCaseClosed,
			[]sird.Recipient{r("a@x.test", sird.EventCaseCreated), r("A@x.test", sird.EventCaseClosed)}, []string{"a@x.test"}},
		{"nobody wants it", sird.EventCaseUpdated, []sird.Recipient{r("a@x.test", sird.EventCaseClosed)}, nil},
		{"empty address skipped", sird.EventCaseUpdated, []sird.Recipient{r(" "), r("b@x.test")}, []string{"b@x.test"}},
		{"delegated admin type by preference", "Register Delegated Administrator",
			[]sird.Recipient{r("a@x.test", "Register Delegated Administrator"), r("b@x.test", sird.EventCaseClosed)}, []string{"a@x.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := notify.Recipients(sird.Event{Type: tc.typ, Recipients: tc.rs})
			if !slices.Equal(got, tc.want) {
				t.Errorf("Recipients = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	e := sird.Event{Type: sird.EventCaseClosed, Recipients: []sird.Recipient{{Email: "a@x.test"}}}
	hooks := []notify.Webhook{{Name: "all"}, {Name: "closed", Events: []string{sird.EventCaseClosed}}, {Name: "created", Events: []string{sird.EventCaseCreated}}}
	mail := notify.Target{Channel: notify.ChannelEmail, Target: "a@x.test"}
	hook := func(n string) notify.Target { return notify.Target{Channel: notify.ChannelWebhook, Target: n} }
	tests := []struct {
		name  string
		email bool
		hooks []notify.Webhook
		want  []notify.Target
	}{
		{"email and filtered webhooks", true, hooks, []notify.Target{mail, hook("all"), hook("closed")}},
		{"email off", false, hooks, []notify.Target{hook("all"), hook("closed")}},
		{"no webhooks", true, nil, []notify.Target{mail}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := notify.Plan(e, tc.email, tc.hooks); !slices.Equal(got, tc.want) {
				t.Errorf("Plan = %v, want %v", got, tc.want)
			}
		})
	}
}
