package api

import (
	"reflect"
	"strconv"
	"sync"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/fastjson"
)

// Hand-written encoders for the answers of the busiest reads, GetCase and
// ListCases: the same bytes json.Marshal writes (TestFastOutputs compares
// them on random values), without its reflection. Each is used only while
// its output type has the layout it was written for; otherwise writeOutput
// falls back to encoding/json and TestFastOutputLayouts fails until the
// encoder is updated.

// Layout fingerprints (fastjson.LayoutHash) the encoders were written for.
const (
	getCaseOutputLayout   = "3b28ac06c0a4b3dd48b06714e2ce110c47c1c304b4898eaa7edcd165e4f98e5a"
	listCasesOutputLayout = "0f2faaf852f9c380403b1b7bd363eca2549bad8cd3b88ae16381311f5482089f"
)

var (
	fastGetCase = sync.OnceValue(func() bool {
		return fastjson.LayoutHash(reflect.TypeFor[sird.GetCaseOutput]()) == getCaseOutputLayout
	})
	fastListCases = sync.OnceValue(func() bool {
		return fastjson.LayoutHash(reflect.TypeFor[sird.ListCasesOutput]()) == listCasesOutputLayout
	})
)

// appendFast appends out's JSON if a hand-written encoder serves its type.
func appendFast(b []byte, out any) ([]byte, bool, error) {
	var err error
	switch o := out.(type) {
	case *sird.GetCaseOutput:
		if fastGetCase() {
			b, err = appendGetCaseOutput(b, o)
			return b, true, err
		}
	case *sird.ListCasesOutput:
		if fastListCases() {
			b, err = appendListCasesOutput(b, o)
			return b, true, err
		}
	}
	return b, false, nil
}

func appendGetCaseOutput(b []byte, o *sird.GetCaseOutput) ([]byte, error) {
	var err error
	b = append(b, `{"title":`...)
	b = fastjson.AppendString(b, o.Title)
	b = append(b, `,"caseArn":`...)
	b = fastjson.AppendString(b, o.CaseArn)
	b = append(b, `,"description":`...)
	b = fastjson.AppendString(b, o.Description)
	b = append(b, `,"caseStatus":`...)
	b = fastjson.AppendString(b, o.CaseStatus)
	b = append(b, `,"engagementType":`...)
	b = fastjson.AppendString(b, o.EngagementType)
	if o.ReportedIncidentStartDate != nil {
		b = append(b, `,"reportedIncidentStartDate":`...)
		if b, err = fastjson.AppendTime(b, *o.ReportedIncidentStartDate); err != nil {
			return nil, err
		}
	}
	if o.ActualIncidentStartDate != nil {
		b = append(b, `,"actualIncidentStartDate":`...)
		if b, err = fastjson.AppendTime(b, *o.ActualIncidentStartDate); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"impactedAwsRegions":`...)
	b = fastjson.AppendList(b, o.ImpactedAwsRegions, fastjson.AppendImpactedRegion)
	b = append(b, `,"threatActorIpAddresses":`...)
	b = fastjson.AppendList(b, o.ThreatActorIPAddresses, fastjson.AppendThreatActorIP)
	b = append(b, `,"pendingAction":`...)
	b = fastjson.AppendString(b, o.PendingAction)
	b = append(b, `,"impactedAccounts":`...)
	b = fastjson.AppendList(b, o.ImpactedAccounts, fastjson.AppendString)
	b = append(b, `,"watchers":`...)
	b = fastjson.AppendList(b, o.Watchers, fastjson.AppendWatcher)
	b = append(b, `,"createdDate":`...)
	if b, err = fastjson.AppendTime(b, o.CreatedDate); err != nil {
		return nil, err
	}
	b = append(b, `,"lastUpdatedDate":`...)
	if b, err = fastjson.AppendTime(b, o.LastUpdatedDate); err != nil {
		return nil, err
	}
	if o.ClosureCode != "" {
		b = append(b, `,"closureCode":`...)
		b = fastjson.AppendString(b, o.ClosureCode)
	}
	b = append(b, `,"resolverType":`...)
	b = fastjson.AppendString(b, o.ResolverType)
	b = append(b, `,"impactedServices":`...)
	b = fastjson.AppendList(b, o.ImpactedServices, fastjson.AppendString)
	b = append(b, `,"caseAttachments":`...)
	if o.CaseAttachments == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range o.CaseAttachments {
			a := &o.CaseAttachments[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"attachmentId":`...)
			b = fastjson.AppendString(b, a.AttachmentID)
			b = append(b, `,"fileName":`...)
			b = fastjson.AppendString(b, a.FileName)
			b = append(b, `,"attachmentStatus":`...)
			b = fastjson.AppendString(b, a.AttachmentStatus)
			b = append(b, `,"creator":`...)
			b = fastjson.AppendString(b, a.Creator)
			b = append(b, `,"createdDate":`...)
			if b, err = fastjson.AppendTime(b, a.CreatedDate); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if o.ClosedDate != nil {
		b = append(b, `,"closedDate":`...)
		if b, err = fastjson.AppendTime(b, *o.ClosedDate); err != nil {
			return nil, err
		}
	}
	if len(o.CaseMetadata) > 0 {
		b = append(b, `,"caseMetadata":`...)
		b = fastjson.AppendList(b, o.CaseMetadata, fastjson.AppendMetadataEntry)
	}
	return append(b, '}'), nil
}

func appendListCasesOutput(b []byte, o *sird.ListCasesOutput) ([]byte, error) {
	b = append(b, `{"items":`...)
	var err error
	if o.Items == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range o.Items {
			it := &o.Items[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"caseId":`...)
			b = fastjson.AppendString(b, it.CaseID)
			b = append(b, `,"lastUpdatedDate":`...)
			if b, err = fastjson.AppendTime(b, it.LastUpdatedDate); err != nil {
				return nil, err
			}
			b = append(b, `,"title":`...)
			b = fastjson.AppendString(b, it.Title)
			b = append(b, `,"caseArn":`...)
			b = fastjson.AppendString(b, it.CaseArn)
			b = append(b, `,"engagementType":`...)
			b = fastjson.AppendString(b, it.EngagementType)
			b = append(b, `,"caseStatus":`...)
			b = fastjson.AppendString(b, it.CaseStatus)
			b = append(b, `,"createdDate":`...)
			if b, err = fastjson.AppendTime(b, it.CreatedDate); err != nil {
				return nil, err
			}
			if it.ClosedDate != nil {
				b = append(b, `,"closedDate":`...)
				if b, err = fastjson.AppendTime(b, *it.ClosedDate); err != nil {
					return nil, err
				}
			}
			b = append(b, `,"resolverType":`...)
			b = fastjson.AppendString(b, it.ResolverType)
			b = append(b, `,"pendingAction":`...)
			b = fastjson.AppendString(b, it.PendingAction)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if o.NextToken != "" {
		b = append(b, `,"nextToken":`...)
		b = fastjson.AppendString(b, o.NextToken)
	}
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, o.Total, 10)
	return append(b, '}'), nil
}
