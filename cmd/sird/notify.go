package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
	"github.com/sird-project/sird/notify/smtp"
	"github.com/sird-project/sird/notify/webhook"
	"github.com/sird-project/sird/sqlstore"
)

// notifyFlags configure the delivery of notifications by `sird serve`.
// Secrets (the SMTP password, webhook secrets) never come from argv, where
// any local user could read them: the password from the environment, the
// secrets from the webhooks file.
type notifyFlags struct {
	smtpHost, smtpTLS, smtpFrom string
	smtpPort                    int
	smtpAllowInsecureAuth       bool
	webhooksFile                string

	pollInterval, timeout, lease, backoff, maxBackoff time.Duration
	maxAttempts                                       int

	outboxRetention time.Duration // prune.go; pruning runs with notifications off too

	envErrs []error // malformed environment values, reported when the notifier starts
}

func (f *notifyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.smtpHost, "smtp-host", os.Getenv("SIRD_SMTP_HOST"), "SMTP relay for e-mail notifications; empty: no e-mail (env SIRD_SMTP_HOST; credentials in SIRD_SMTP_USERNAME, SIRD_SMTP_PASSWORD)")
	fs.IntVar(&f.smtpPort, "smtp-port", f.envInt("SIRD_SMTP_PORT", 0), "SMTP port (default 587 for starttls, 465 for tls, 25 for none) (env SIRD_SMTP_PORT)")
	fs.StringVar(&f.smtpTLS, "smtp-tls", envOr("SIRD_SMTP_TLS", smtp.TLSStartTLS), "none, starttls or tls (env SIRD_SMTP_TLS)")
	fs.StringVar(&f.smtpFrom, "smtp-from", os.Getenv("SIRD_SMTP_FROM"), `sender of the e-mails, e.g. "sird <sird@example.com>"; required with --smtp-host (env SIRD_SMTP_FROM)`)
	fs.BoolVar(&f.smtpAllowInsecureAuth, "smtp-allow-insecure-auth", f.envBool("SIRD_SMTP_ALLOW_INSECURE_AUTH"), "allow AUTH PLAIN without TLS (a relay on a trusted network) (env SIRD_SMTP_ALLOW_INSECURE_AUTH)")
	fs.StringVar(&f.webhooksFile, "webhooks-file", os.Getenv("SIRD_WEBHOOKS_FILE"), `JSON file of webhooks: [{"name","url","secret","events"}] (env SIRD_WEBHOOKS_FILE)`)
	fs.DurationVar(&f.pollInterval, "notify-poll-interval", f.envDuration("SIRD_NOTIFY_POLL_INTERVAL", time.Second), "how often the notifier looks for due deliveries, besides after each change (env SIRD_NOTIFY_POLL_INTERVAL)")
	fs.DurationVar(&f.timeout, "notify-timeout", f.envDuration("SIRD_NOTIFY_TIMEOUT", 30*time.Second), "time limit of one delivery attempt (env SIRD_NOTIFY_TIMEOUT)")
	fs.DurationVar(&f.lease, "notify-lease", f.envDuration("SIRD_NOTIFY_LEASE", 0), "how long an attempt holds its delivery; a node that dies mid-attempt releases it after this (default --notify-timeout + 1m) (env SIRD_NOTIFY_LEASE)")
	fs.IntVar(&f.maxAttempts, "notify-max-attempts", f.envInt("SIRD_NOTIFY_MAX_ATTEMPTS", 12), "attempts before a delivery is dead (env SIRD_NOTIFY_MAX_ATTEMPTS)")
	fs.DurationVar(&f.backoff, "notify-backoff", f.envDuration("SIRD_NOTIFY_BACKOFF", 10*time.Second), "wait after the first failed attempt, doubled after each (env SIRD_NOTIFY_BACKOFF)")
	fs.DurationVar(&f.maxBackoff, "notify-max-backoff", f.envDuration("SIRD_NOTIFY_MAX_BACKOFF", 30*time.Minute), "longest wait between attempts (env SIRD_NOTIFY_MAX_BACKOFF)")
	fs.DurationVar(&f.outboxRetention, "outbox-retention", f.envDuration("SIRD_OUTBOX_RETENTION", 7*24*time.Hour), "delete delivered and dead deliveries this long after they ended, and events this old without pending deliveries, sent or never sent; 0 keeps everything (env SIRD_OUTBOX_RETENTION)")
}

func (f *notifyFlags) envInt(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q: not a number", name, v))
		return def
	}
	return n
}

func (f *notifyFlags) envBool(name string) bool {
	v := os.Getenv(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q: want true or false", name, v))
	}
	return b
}

func (f *notifyFlags) envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q: want a duration such as 10s", name, v))
		return def
	}
	return d
}

// webhookEntry is one element of the webhooks file.
type webhookEntry struct {
	Name   string   `json:"name"`
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"` // event types; empty: all
}

// eventTypes are the event types a webhook may filter on.
var eventTypes = []string{
	sird.EventCaseCreated, sird.EventCaseUpdated, sird.EventCaseAcknowledged, sird.EventCaseClosed,
	sird.EventCaseUpdatedToServiceManaged, sird.EventCaseStatusUpdated, sird.EventCasePendingCustomerAction,
	sird.EventCaseAttachmentUploaded, sird.EventCaseCommentAdded, sird.EventCaseCommentUpdated,
	sird.EventMembershipCreated, sird.EventMembershipUpdated, sird.EventMembershipCancelled,
}

// loadWebhooks reads and checks the webhooks file.
func loadWebhooks(path string, log *slog.Logger) ([]webhook.Endpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("webhooks file: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn("the webhooks file holds secrets but others may read it; chmod 600 it", "file", path, "mode", fi.Mode().Perm().String())
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt "events" must not silently mean "all events"
	var entries []webhookEntry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("webhooks file %s: want a JSON array of {\"name\", \"url\", \"secret\", \"events\"}: %w", path, err)
	}
	eps := make([]webhook.Endpoint, 0, len(entries))
	for _, e := range entries {
		for _, typ := range e.Events {
			if !slices.ContainsFunc(eventTypes, func(t string) bool { return strings.EqualFold(t, strings.TrimSpace(typ)) }) {
				return nil, fmt.Errorf("webhooks file %s: webhook %q: unknown event type %q (known: %s)", path, e.Name, typ, strings.Join(eventTypes, ", "))
			}
		}
		eps = append(eps, webhook.Endpoint{Name: e.Name, URL: e.URL, Secret: e.Secret, Events: e.Events})
	}
	return eps, nil
}

// notifierConfig builds the worker's configuration; nil when neither e-mail
// nor webhooks are configured.
func (f *notifyFlags) notifierConfig(q notify.Queue, log *slog.Logger) (*notify.Config, error) {
	if err := errors.Join(f.envErrs...); err != nil {
		return nil, err
	}
	cfg := &notify.Config{
		Queue: q, PollInterval: f.pollInterval, Timeout: f.timeout, Lease: f.lease,
		MaxAttempts: f.maxAttempts, BaseBackoff: f.backoff, MaxBackoff: f.maxBackoff, Logger: log,
	}
	if f.smtpHost != "" {
		if f.smtpFrom == "" {
			return nil, errors.New("--smtp-from (SIRD_SMTP_FROM) is required with --smtp-host")
		}
		user := os.Getenv("SIRD_SMTP_USERNAME")
		if user != "" && f.smtpTLS == smtp.TLSNone && !f.smtpAllowInsecureAuth {
			return nil, errors.New("SIRD_SMTP_USERNAME with --smtp-tls none would send the password in the clear: use starttls or tls, or --smtp-allow-insecure-auth for a relay on a trusted network")
		}
		s, err := smtp.New(smtp.Config{
			Host: f.smtpHost, Port: f.smtpPort, TLS: f.smtpTLS, From: f.smtpFrom,
			Username: user, Password: os.Getenv("SIRD_SMTP_PASSWORD"),
			AllowInsecureAuth: f.smtpAllowInsecureAuth,
		})
		if err != nil {
			return nil, err
		}
		cfg.Email = s
	}
	if f.webhooksFile != "" {
		eps, err := loadWebhooks(f.webhooksFile, log)
		if err != nil {
			return nil, err
		}
		if len(eps) > 0 {
			ws, err := webhook.New(eps, webhook.Options{UserAgent: "sird-webhook/" + version})
			if err != nil {
				return nil, err
			}
			cfg.Webhooks, cfg.WebhookSender = ws.Webhooks(), ws
		}
	}
	if cfg.Email == nil && len(cfg.Webhooks) == 0 {
		return nil, nil
	}
	return cfg, nil
}

// startNotifier starts the outbox worker when e-mail or webhooks are
// configured. kick wakes it after a change added events (Service.OnEvents);
// stop ends it, letting attempts in flight finish and record their outcome,
// and must run before the store closes.
func startNotifier(ctx context.Context, st *sqlstore.Store, log *slog.Logger, f *notifyFlags) (kick, stop func(), err error) {
	cfg, err := f.notifierConfig(st.Queue(), log)
	if err != nil {
		return nil, nil, fmt.Errorf("notifications: %w", err)
	}
	if cfg == nil {
		log.Info("notifications are off (no --smtp-host, no --webhooks-file): events stay in the outbox until --outbox-retention, see `sird outbox list`")
		return func() {}, func() {}, nil
	}
	w, err := notify.New(*cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("notifications: %w", err)
	}
	hooks := make([]string, 0, len(cfg.Webhooks))
	for _, h := range cfg.Webhooks {
		hooks = append(hooks, h.Name)
	}
	log.Info("notifications are on", "smtp", f.smtpHost != "", "webhooks", hooks)
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { w.Run(wctx) })
	return w.Kick, func() { cancel(); wg.Wait() }, nil
}
