package webhook

import (
	"encoding/json"
	"maps"
	"time"

	"github.com/sird-project/sird"
)

// Source is the EventBridge source of the service's events.
const Source = "aws.security-ir"

// Envelope is the body posted: an EventBridge event as the service emits
// it, so one receiver can take both.
type Envelope struct {
	Version    string         `json:"version"`
	ID         string         `json:"id"`
	DetailType string         `json:"detail-type"`
	Source     string         `json:"source"`
	Account    string         `json:"account"`
	Time       string         `json:"time"`
	Region     string         `json:"region"`
	Resources  []string       `json:"resources"`
	Detail     map[string]any `json:"detail"`
}

// Payload returns the JSON body for event e. Detail is the event's detail
// plus who did it and a summary; recipients' addresses are not sent.
func Payload(e sird.Event) ([]byte, error) {
	detail := maps.Clone(e.Detail)
	if detail == nil {
		detail = map[string]any{}
	}
	add := func(k, v string) {
		if _, ok := detail[k]; !ok && v != "" {
			detail[k] = v
		}
	}
	add("caseId", e.CaseID)
	add("caseTitle", e.CaseTitle)
	add("membershipId", e.Membership)
	add("principal", e.Principal)
	add("summary", e.Summary)
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	return json.Marshal(Envelope{
		Version: "0", ID: e.ID, DetailType: e.Type, Source: Source, Account: e.AccountID,
		Time: e.Time.UTC().Format(time.RFC3339), Region: e.Region, Resources: resources, Detail: detail,
	})
}
