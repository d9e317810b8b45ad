package sird

// Event types: the model's CommunicationType values.
const (
	EventCaseCreated                 = "Case Created"
	EventCaseUpdated                 = "Case Updated"
	EventCaseAcknowledged            = "Case Acknowledged"
	EventCaseClosed                  = "Case Closed"
	EventCaseUpdatedToServiceManaged = "Case Updated To Service Managed"
	EventCaseStatusUpdated           = "Case Status Updated"
	EventCasePendingCustomerAction   = "Case Pending Customer Action Reminder"
	EventCaseAttachmentUploaded      = "Case Attachment Url Uploaded"
	EventCaseCommentAdded            = "Case Comment Added"
	EventCaseCommentUpdated          = "Case Comment Updated"
	EventMembershipCreated           = "Membership Created"
	EventMembershipUpdated           = "Membership Updated"
	EventMembershipCancelled         = "Membership Cancelled"
)

// Recipient is one person an event is mailed to.
type Recipient struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	// Preferences are the responder's communicationPreferences; empty means every event.
	Preferences []string `json:"preferences,omitempty"`
}

// Event is a state change, written in the same transaction as the change
// (the outbox) and delivered later by the notifiers.
type Event struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Time       Time           `json:"time"`
	AccountID  string         `json:"account"`
	Region     string         `json:"region"`
	Resources  []string       `json:"resources"`
	Principal  string         `json:"principal"`
	CaseID     string         `json:"caseId,omitempty"`
	CaseTitle  string         `json:"caseTitle,omitempty"`
	Membership string         `json:"membershipId,omitempty"`
	Summary    string         `json:"summary"`
	Detail     map[string]any `json:"detail,omitempty"`
	Recipients []Recipient    `json:"recipients,omitempty"`
}
