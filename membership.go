package sird

// Membership statuses.
const (
	MembershipActive     = "Active"
	MembershipCancelled  = "Cancelled"
	MembershipTerminated = "Terminated"
)

// Customer types.
const (
	CustomerStandalone   = "Standalone"
	CustomerOrganization = "Organization"
)

// IncidentResponder is one member of a membership's incident response team.
type IncidentResponder struct {
	Name                     string   `json:"name"`
	JobTitle                 string   `json:"jobTitle"`
	Email                    string   `json:"email"`
	CommunicationPreferences []string `json:"communicationPreferences,omitempty"`
}

// OptInFeature switches an optional feature such as Triage.
type OptInFeature struct {
	FeatureName string `json:"featureName"`
	IsEnabled   bool   `json:"isEnabled"`
}

// Membership switches the service on for an account or an organization.
// The JSON form is its stored document.
type Membership struct {
	ID                      string              `json:"membershipId"`
	AccountID               string              `json:"accountId"`
	Region                  string              `json:"region"`
	Name                    string              `json:"membershipName"`
	Status                  string              `json:"membershipStatus"`
	ActivatedAt             Time                `json:"membershipActivationTimestamp"`
	DeactivatedAt           *Time               `json:"membershipDeactivationTimestamp,omitempty"`
	Team                    []IncidentResponder `json:"incidentResponseTeam"`
	OptInFeatures           []OptInFeature      `json:"optInFeatures,omitempty"`
	CoverEntireOrganization bool                `json:"coverEntireOrganization"`
	OrganizationalUnits     []string            `json:"organizationalUnits,omitempty"`
	Tags                    map[string]string   `json:"tags,omitempty"`
	CreatedBy               string              `json:"createdBy"`
	UpdatedAt               Time                `json:"updatedAt"`
	UpdatedBy               string              `json:"updatedBy"`
}

// ARN is the membership's resource name.
func (m *Membership) ARN() string {
	return "arn:aws:security-ir:" + m.Region + ":" + m.AccountID + ":membership/" + m.ID
}

// MembershipChange records who changed a membership, when and how.
type MembershipChange struct {
	MembershipID string `json:"membershipId"`
	Seq          int64  `json:"seq"`
	At           Time   `json:"at"`
	Principal    string `json:"principal"`
	Action       string `json:"action"`
	Message      string `json:"message"`
}
