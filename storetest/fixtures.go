package storetest

import (
	"fmt"

	"github.com/sird-project/sird"
)

// Accounts and regions of the fixtures.
const (
	acctA   = "111111111111"
	acctB   = "222222222222"
	region1 = "us-east-1"
	region2 = "eu-west-1"
)

// fullCase is a case with every member set, times with nanoseconds and lists
// of several elements, so a round trip shows any member a store drops.
func fullCase(id, account, region string, createdSec int64) *sird.Case {
	return &sird.Case{
		ID:                        id,
		AccountID:                 account,
		Region:                    region,
		Title:                     "Unauthorized access " + id,
		ARN:                       sird.CaseARN(region, account, id),
		Description:               "Keys leaked \u00e9\u4e2d; quotes \" and \\ and NUL \u0000 survive",
		Status:                    sird.StatusDetectionAnalysis,
		EngagementType:            "Security Incident",
		ReportedIncidentStartDate: tp(createdSec-3600, 1),
		ActualIncidentStartDate:   tp(createdSec-7200, 999999999),
		ImpactedAwsRegions:        []sird.ImpactedRegion{{Region: "us-west-2"}, {Region: "ap-south-1"}},
		ThreatActorIPAddresses:    []sird.ThreatActorIP{{IPAddress: "203.0.113.9", UserAgent: "curl/8"}, {IPAddress: "198.51.100.1"}},
		PendingAction:             sird.PendingCustomer,
		ImpactedAccounts:          []string{"333333333333", "123456789012"},
		Watchers:                  []sird.Watcher{{Email: "b@example.com", Name: "B", JobTitle: "CISO"}, {Email: "a@example.com"}},
		CreatedDate:               sird.At(ts(createdSec, 123456789)),
		LastUpdatedDate:           sird.At(ts(createdSec+60, 987654321)),
		ClosureCode:               "Resolved",
		ResolverType:              sird.ResolverSelf,
		ImpactedServices:          []string{"s3", "iam", "ec2"},
		CaseAttachments: []sird.Attachment{{
			ID: "att-1", FileName: "log.txt", Status: sird.AttachmentVerified, Creator: "arn:aws:iam::1:user/x",
			CreatedAt: sird.At(ts(createdSec+1, 5)), Size: 1234, SHA256: "abc", BlobKey: "k/1",
			ExpiresAt: sird.At(ts(createdSec+3600, 7)), Claimed: true,
		}, {
			ID: "att-2", FileName: "pcap", Status: sird.AttachmentPending, Creator: "arn:aws:iam::1:user/y",
			CreatedAt: sird.At(ts(createdSec+2, 0)), BlobKey: "k/2", ExpiresAt: sird.At(ts(createdSec+7200, 0)),
		}},
		ClosedDate:   tp(createdSec+86400, 42),
		CaseMetadata: []sird.MetadataEntry{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}},
		Tags:         map[string]string{"team": "red", "env": "prod"},
		CommentCount: 7,
		EditCount:    11,
		Investigations: []sird.Investigation{{
			InvestigationID: "inv-1", ActionType: "Investigation", Title: "Triage", Content: "Looks bad",
			Status: "Completed", LastUpdated: sird.At(ts(createdSec+5, 55)),
			Feedback: &sird.InvestigationFeedback{Usefulness: "Useful", Comment: "thanks", SubmittedAt: tp(createdSec+6, 66)},
		}, {
			InvestigationID: "inv-2", ActionType: "Summary", Title: "Summary", Status: "Pending",
			LastUpdated: sird.At(ts(createdSec+7, 0)),
		}},
	}
}

// smallCase is a case with only the members a listing needs.
func smallCase(id, account, region string, createdSec, createdNsec int64) *sird.Case {
	return &sird.Case{
		ID: id, AccountID: account, Region: region, Title: "case " + id,
		Status: sird.StatusSubmitted, CreatedDate: sird.At(ts(createdSec, createdNsec)),
		LastUpdatedDate: sird.At(ts(createdSec, createdNsec)),
	}
}

func fullMembership(id, account, region string) *sird.Membership {
	return &sird.Membership{
		ID:            id,
		AccountID:     account,
		Region:        region,
		Name:          "membership " + id,
		Status:        sird.MembershipActive,
		ActivatedAt:   sird.At(ts(1700000000, 111111111)),
		DeactivatedAt: tp(1700000500, 222222222),
		Team: []sird.IncidentResponder{
			{Name: "Zed", JobTitle: "Lead", Email: "zed@example.com", CommunicationPreferences: []string{"Case Created", "Case Closed"}},
			{Name: "Amy", JobTitle: "Analyst", Email: "amy@example.com"},
		},
		OptInFeatures:           []sird.OptInFeature{{FeatureName: "Triage", IsEnabled: true}, {FeatureName: "Other"}},
		CoverEntireOrganization: true,
		OrganizationalUnits:     []string{"ou-2", "ou-1"},
		Tags:                    map[string]string{"k": "v", "cost": "42"},
		CreatedBy:               "arn:aws:iam::" + account + ":user/admin",
		UpdatedAt:               sird.At(ts(1700000600, 333333333)),
		UpdatedBy:               "arn:aws:iam::" + account + ":role/ops",
	}
}

func comment(caseID string, n int, createdSec int64) *sird.Comment {
	return &sird.Comment{
		CaseID:      caseID,
		ID:          fmt.Sprintf("%06d", n),
		Body:        fmt.Sprintf("comment %d\nwith a second line", n),
		Creator:     "arn:aws:iam::1:user/c",
		CreatedDate: sird.At(ts(createdSec, int64(n))),
	}
}

func caseEdit(seq int64) *sird.CaseEdit {
	return &sird.CaseEdit{
		Seq:            seq,
		EventTimestamp: sird.At(ts(1700000000+seq, 1000*seq+1)),
		Principal:      "arn:aws:iam::1:user/e",
		Action:         "CaseUpdated",
		Message:        fmt.Sprintf("edit %d", seq),
	}
}
