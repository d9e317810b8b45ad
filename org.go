package sird

// Organization is an AWS Organization as the operator declares it to sird.
type Organization struct {
	ID                  string `json:"id"`
	ManagementAccountID string `json:"managementAccountId"`
}

// OrgUnit is an organizational unit; ParentID is empty for a child of the root.
type OrgUnit struct {
	ID       string `json:"id"`
	OrgID    string `json:"orgId"`
	ParentID string `json:"parentId,omitempty"`
	Name     string `json:"name,omitempty"`
}

// OrgAccount places an account in an organization, under an OU or the root (OUID empty).
type OrgAccount struct {
	AccountID string `json:"accountId"`
	OrgID     string `json:"orgId"`
	OUID      string `json:"ouId,omitempty"`
}

// Relationship values of BatchGetMemberAccountDetails.
const (
	RelationshipAssociated    = "Associated"
	RelationshipDisassociated = "Disassociated"
	RelationshipUnassociated  = "Unassociated"
	RelationshipOrganization  = "Organization"
	RelationshipUnrelated     = "Unrelated"
)
