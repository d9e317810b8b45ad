package sird

// Case statuses.
const (
	StatusSubmitted         = "Submitted"
	StatusAcknowledged      = "Acknowledged"
	StatusDetectionAnalysis = "Detection and Analysis"
	StatusContainment       = "Containment, Eradication and Recovery"
	StatusPostIncident      = "Post-incident Activities"
	StatusReadyToClose      = "Ready to Close"
	StatusClosed            = "Closed"
)

// Resolver types.
const (
	ResolverAWS  = "AWS"
	ResolverSelf = "Self"
)

// Pending actions.
const (
	PendingCustomer = "Customer"
	PendingNone     = "None"
)

// Watcher receives notifications for a case.
type Watcher struct {
	Email    string `json:"email"`
	Name     string `json:"name,omitempty"`
	JobTitle string `json:"jobTitle,omitempty"`
}

// ThreatActorIP is a suspicious address seen in an incident.
type ThreatActorIP struct {
	IPAddress string `json:"ipAddress"`
	UserAgent string `json:"userAgent,omitempty"`
}

// ImpactedRegion wraps a region name as the model does.
type ImpactedRegion struct {
	Region string `json:"region"`
}

// MetadataEntry is one caseMetadata key/value.
type MetadataEntry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Attachment is a file attached to a case; its bytes live in a BlobStore.
type Attachment struct {
	ID        string `json:"attachmentId"`
	FileName  string `json:"fileName"`
	Status    string `json:"attachmentStatus"`
	Creator   string `json:"creator"`
	CreatedAt Time   `json:"createdDate"`
	// Upload bookkeeping, not on the wire (GetCase answers AttachmentSummary).
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256,omitempty"`
	BlobKey   string `json:"blobKey"`
	ExpiresAt Time   `json:"expiresAt"`
	Claimed   bool   `json:"claimed,omitempty"` // an upload has started; the URL is spent
}

// Attachment statuses.
const (
	AttachmentPending  = "Pending"
	AttachmentVerified = "Verified"
	AttachmentFailed   = "Failed"
)

// Case is an incident case. Its JSON form is the stored document; ID,
// account and region are columns beside it. The wire form is GetCaseOutput.
type Case struct {
	ID                        string           `json:"-"`
	AccountID                 string           `json:"-"`
	Region                    string           `json:"-"`
	Title                     string           `json:"title"`
	ARN                       string           `json:"caseArn"`
	Description               string           `json:"description"`
	Status                    string           `json:"caseStatus"`
	EngagementType            string           `json:"engagementType"`
	ReportedIncidentStartDate *Time            `json:"reportedIncidentStartDate,omitempty"`
	ActualIncidentStartDate   *Time            `json:"actualIncidentStartDate,omitempty"`
	ImpactedAwsRegions        []ImpactedRegion `json:"impactedAwsRegions"`
	ThreatActorIPAddresses    []ThreatActorIP  `json:"threatActorIpAddresses"`
	PendingAction             string           `json:"pendingAction"`
	ImpactedAccounts          []string         `json:"impactedAccounts"`
	Watchers                  []Watcher        `json:"watchers"`
	CreatedDate               Time             `json:"createdDate"`
	LastUpdatedDate           Time             `json:"lastUpdatedDate"`
	ClosureCode               string           `json:"closureCode,omitempty"`
	ResolverType              string           `json:"resolverType"`
	ImpactedServices          []string         `json:"impactedServices"`
	CaseAttachments           []Attachment     `json:"caseAttachments"`
	ClosedDate                *Time            `json:"closedDate,omitempty"`
	CaseMetadata              []MetadataEntry  `json:"caseMetadata,omitempty"`

	Tags           map[string]string `json:"tags,omitempty"`
	CommentCount   int               `json:"commentCount"`
	EditCount      int               `json:"editCount"`
	Investigations []Investigation   `json:"investigations,omitempty"`
	ClientToken    string            `json:"clientToken,omitempty"`
}

// CaseARN is the resource name of a case.
func CaseARN(region, account, id string) string {
	return "arn:aws:security-ir:" + region + ":" + account + ":case/" + id
}

// Comment is a case comment.
type Comment struct {
	CaseID          string `json:"-"`
	ID              string `json:"commentId"`
	Body            string `json:"body"`
	Creator         string `json:"creator"`
	CreatedDate     Time   `json:"createdDate"`
	LastUpdatedBy   string `json:"lastUpdatedBy,omitempty"`
	LastUpdatedDate *Time  `json:"lastUpdatedDate,omitempty"`
}

// CaseEdit is one entry of a case's history (ListCaseEdits).
type CaseEdit struct {
	Seq            int64  `json:"-"`
	EventTimestamp Time   `json:"eventTimestamp"`
	Principal      string `json:"principal"`
	Action         string `json:"action"`
	Message        string `json:"message"`
}

// Investigation is an automated investigation action on a case (ListInvestigations).
type Investigation struct {
	InvestigationID string                 `json:"investigationId"`
	ActionType      string                 `json:"actionType"`
	Title           string                 `json:"title"`
	Content         string                 `json:"content"`
	Status          string                 `json:"status"`
	LastUpdated     Time                   `json:"lastUpdated"`
	Feedback        *InvestigationFeedback `json:"feedback,omitempty"`
}

// InvestigationFeedback is the customer's rating of an investigation result.
type InvestigationFeedback struct {
	Usefulness  string `json:"usefulness,omitempty"`
	Comment     string `json:"comment,omitempty"`
	SubmittedAt *Time  `json:"submittedAt,omitempty"`
}
