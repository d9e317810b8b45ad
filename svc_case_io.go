package sird

type CreateCaseInput struct {
	ClientToken               string            `json:"clientToken,omitempty"`
	ResolverType              string            `json:"resolverType"`
	Title                     string            `json:"title"`
	Description               string            `json:"description"`
	EngagementType            string            `json:"engagementType"`
	ReportedIncidentStartDate *Time             `json:"reportedIncidentStartDate"`
	ImpactedAccounts          []string          `json:"impactedAccounts"`
	Watchers                  []Watcher         `json:"watchers"`
	ThreatActorIPAddresses    []ThreatActorIP   `json:"threatActorIpAddresses,omitempty"`
	ImpactedServices          []string          `json:"impactedServices,omitempty"`
	ImpactedAwsRegions        []ImpactedRegion  `json:"impactedAwsRegions,omitempty"`
	Tags                      map[string]string `json:"tags,omitempty"`
}

type CreateCaseOutput struct {
	CaseID string `json:"caseId"`
}

type CaseIDInput struct {
	CaseID string `json:"caseId"`
}

type AttachmentSummary struct {
	AttachmentID     string `json:"attachmentId"`
	FileName         string `json:"fileName"`
	AttachmentStatus string `json:"attachmentStatus"`
	Creator          string `json:"creator"`
	CreatedDate      Time   `json:"createdDate"`
}

type GetCaseOutput struct {
	Title                     string              `json:"title"`
	CaseArn                   string              `json:"caseArn"`
	Description               string              `json:"description"`
	CaseStatus                string              `json:"caseStatus"`
	EngagementType            string              `json:"engagementType"`
	ReportedIncidentStartDate *Time               `json:"reportedIncidentStartDate,omitempty"`
	ActualIncidentStartDate   *Time               `json:"actualIncidentStartDate,omitempty"`
	ImpactedAwsRegions        []ImpactedRegion    `json:"impactedAwsRegions"`
	ThreatActorIPAddresses    []ThreatActorIP     `json:"threatActorIpAddresses"`
	PendingAction             string              `json:"pendingAction"`
	ImpactedAccounts          []string            `json:"impactedAccounts"`
	Watchers                  []Watcher           `json:"watchers"`
	CreatedDate               Time                `json:"createdDate"`
	LastUpdatedDate           Time                `json:"lastUpdatedDate"`
	ClosureCode               string              `json:"closureCode,omitempty"`
	ResolverType              string              `json:"resolverType"`
	ImpactedServices          []string            `json:"impactedServices"`
	CaseAttachments           []AttachmentSummary `json:"caseAttachments"`
	ClosedDate                *Time               `json:"closedDate,omitempty"`
	CaseMetadata              []MetadataEntry     `json:"caseMetadata,omitempty"`
}

type ListCasesItem struct {
	CaseID          string `json:"caseId"`
	LastUpdatedDate Time   `json:"lastUpdatedDate"`
	Title           string `json:"title"`
	CaseArn         string `json:"caseArn"`
	EngagementType  string `json:"engagementType"`
	CaseStatus      string `json:"caseStatus"`
	CreatedDate     Time   `json:"createdDate"`
	ClosedDate      *Time  `json:"closedDate,omitempty"`
	ResolverType    string `json:"resolverType"`
	PendingAction   string `json:"pendingAction"`
}

type ListCasesOutput struct {
	Items     []ListCasesItem `json:"items"`
	NextToken string          `json:"nextToken,omitempty"`
	Total     int64           `json:"total"`
}

type UpdateCaseInput struct {
	CaseID                         string           `json:"caseId"`
	Title                          *string          `json:"title,omitempty"`
	Description                    *string          `json:"description,omitempty"`
	ReportedIncidentStartDate      *Time            `json:"reportedIncidentStartDate,omitempty"`
	ActualIncidentStartDate        *Time            `json:"actualIncidentStartDate,omitempty"`
	EngagementType                 *string          `json:"engagementType,omitempty"`
	WatchersToAdd                  []Watcher        `json:"watchersToAdd,omitempty"`
	WatchersToDelete               []Watcher        `json:"watchersToDelete,omitempty"`
	ThreatActorIPAddressesToAdd    []ThreatActorIP  `json:"threatActorIpAddressesToAdd,omitempty"`
	ThreatActorIPAddressesToDelete []ThreatActorIP  `json:"threatActorIpAddressesToDelete,omitempty"`
	ImpactedServicesToAdd          []string         `json:"impactedServicesToAdd,omitempty"`
	ImpactedServicesToDelete       []string         `json:"impactedServicesToDelete,omitempty"`
	ImpactedAwsRegionsToAdd        []ImpactedRegion `json:"impactedAwsRegionsToAdd,omitempty"`
	ImpactedAwsRegionsToDelete     []ImpactedRegion `json:"impactedAwsRegionsToDelete,omitempty"`
	ImpactedAccountsToAdd          []string         `json:"impactedAccountsToAdd,omitempty"`
	ImpactedAccountsToDelete       []string         `json:"impactedAccountsToDelete,omitempty"`
	CaseMetadata                   []MetadataEntry  `json:"caseMetadata,omitempty"`
}

type UpdateCaseStatusInput struct {
	CaseID     string `json:"caseId"`
	CaseStatus string `json:"caseStatus"`
}

type UpdateCaseStatusOutput struct {
	CaseStatus string `json:"caseStatus"`
}

type UpdateResolverTypeInput struct {
	CaseID       string `json:"caseId"`
	ResolverType string `json:"resolverType"`
}

type UpdateResolverTypeOutput struct {
	CaseID       string `json:"caseId"`
	CaseStatus   string `json:"caseStatus"`
	ResolverType string `json:"resolverType"`
}

type CloseCaseOutput struct {
	CaseStatus string `json:"caseStatus"`
	ClosedDate *Time  `json:"closedDate,omitempty"`
}

type ListCaseEditsInput struct {
	CaseID     string `json:"caseId"`
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults *int   `json:"maxResults,omitempty"`
}

type ListCaseEditsOutput struct {
	Items     []CaseEdit `json:"items"`
	NextToken string     `json:"nextToken,omitempty"`
	Total     int        `json:"total"`
}
