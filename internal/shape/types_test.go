package shape

import (
	"encoding/json"
	"fmt"
	"time"
)

// epoch stands for the callers' timestamp type: epoch seconds on the wire.
type epoch struct{ time.Time }

func (e *epoch) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("epoch: %w", err)
	}
	sec := int64(f)
	e.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	return nil
}

type watcher struct {
	Email    string  `json:"email"`
	Name     *string `json:"name"`
	JobTitle *string `json:"jobTitle"`
}

type createCaseInput struct {
	ClientToken               *string   `json:"clientToken"`
	ResolverType              string    `json:"resolverType"`
	Title                     string    `json:"title"`
	Description               string    `json:"description"`
	EngagementType            string    `json:"engagementType"`
	ReportedIncidentStartDate epoch     `json:"reportedIncidentStartDate"`
	ImpactedAccounts          []string  `json:"impactedAccounts"`
	Watchers                  []watcher `json:"watchers"`
	ThreatActorIPAddresses    []struct {
		IPAddress string  `json:"ipAddress"`
		UserAgent *string `json:"userAgent"`
	} `json:"threatActorIpAddresses"`
	ImpactedServices   []string `json:"impactedServices"`
	ImpactedAwsRegions []struct {
		Region string `json:"region"`
	} `json:"impactedAwsRegions"`
	Tags map[string]string `json:"tags"`
}

type responder struct {
	Name                     string   `json:"name"`
	JobTitle                 string   `json:"jobTitle"`
	Email                    string   `json:"email"`
	CommunicationPreferences []string `json:"communicationPreferences"`
}

type updateMembershipInput struct {
	MembershipID         string      `json:"membershipId"`
	MembershipName       *string     `json:"membershipName"`
	IncidentResponseTeam []responder `json:"incidentResponseTeam"`
	OptInFeatures        []struct {
		FeatureName string `json:"featureName"`
		IsEnabled   bool   `json:"isEnabled"`
	} `json:"optInFeatures"`
	MembershipAccountsConfigurationsUpdate *struct {
		CoverEntireOrganization     *bool    `json:"coverEntireOrganization"`
		OrganizationalUnitsToAdd    []string `json:"organizationalUnitsToAdd"`
		OrganizationalUnitsToRemove []string `json:"organizationalUnitsToRemove"`
	} `json:"membershipAccountsConfigurationsUpdate"`
	UndoMembershipCancellation *bool `json:"undoMembershipCancellation"`
}

type updateCaseInput struct {
	CaseID string `json:"caseId"`
	Title  string `json:"title"`
}

type untagInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

type listInvestigationsInput struct {
	CaseID     string  `json:"caseId"`
	NextToken  *string `json:"nextToken"`
	MaxResults *int32  `json:"maxResults"`
}

// createCaseBody is a realistic CreateCase request of about 1 KiB.
const createCaseBody = `{
  "clientToken": "0b0f3d3e-7a8e-4f8e-9a55-2f1d3c4b5a69",
  "resolverType": "AWS",
  "title": "Suspicious API calls from unknown IP addresses in production",
  "description": "GuardDuty reported UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration for role app-prod. CloudTrail shows ListBuckets and GetObject calls from two addresses outside our ranges between 02:10 and 02:40 UTC. Keys rotated; requesting help with scoping and containment.",
  "engagementType": "Security Incident",
  "reportedIncidentStartDate": 1718000000.25,
  "impactedAccounts": ["123456789012", "210987654321"],
  "watchers": [
    {"email": "secops@example.com", "name": "Sec Ops", "jobTitle": "On-call"},
    {"email": "ciso@example.com", "name": "Dana Lee", "jobTitle": "CISO"}
  ],
  "threatActorIpAddresses": [
    {"ipAddress": "198.51.100.23", "userAgent": "aws-cli/2.15.0 Python/3.11"},
    {"ipAddress": "203.0.113.7"}
  ],
  "impactedServices": ["Amazon S3", "AWS IAM", "Amazon EC2"],
  "impactedAwsRegions": [{"region": "us-east-1"}, {"region": "eu-west-1"}],
  "tags": {"team": "platform", "severity": "high", "ticket": "SEC-4821"}
}`
