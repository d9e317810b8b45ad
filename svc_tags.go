package sird

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

type TagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

type ResourceArnInput struct {
	ResourceArn string `json:"resourceArn"`
}

type ListTagsOutput struct {
	Tags map[string]string `json:"tags"`
}

// maxTags is the per-resource tag quota.
const maxTags = 200

var arnRE = regexp.MustCompile(`^arn:aws:security-ir:([a-z0-9-]+):([0-9]{12}):(membership|case)/(.+)$`)

// taggable loads the resource an ARN names if the caller owns it, and
// returns a function that stores it back.
func taggable(tx Tx, c Caller, arn string) (tags *map[string]string, save func() error, err error) {
	p := arnRE.FindStringSubmatch(arn)
	if p == nil || p[1] != c.Region || p[2] != c.AccountID {
		return nil, nil, NotFound("Resource", arn)
	}
	switch p[3] {
	case "membership":
		m, err := ownMembership(tx, c, p[4], true)
		if err != nil {
			return nil, nil, NotFound("Resource", arn)
		}
		return &m.Tags, func() error { return tx.UpdateMembership(m) }, nil
	default:
		cs, err := tx.GetCase(c.AccountID, c.Region, p[4], true)
		if errors.Is(err, ErrNotExist) {
			return nil, nil, NotFound("Resource", arn)
		}
		if err != nil {
			return nil, nil, err
		}
		return &cs.Tags, func() error { return tx.UpdateCase(cs) }, nil
	}
}

func (s *Service) TagResource(ctx context.Context, c Caller, in *TagResourceInput) error {
	var bad []FieldError
	for _, k := range slices.Sorted(maps.Keys(in.Tags)) {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			bad = append(bad, FieldError{Name: "tags." + k, Message: "Tag keys beginning with 'aws:' are reserved."})
		}
	}
	if len(bad) > 0 {
		return ValidationError(bad...)
	}
	return s.write(ctx, func(tx Tx) error {
		tags, save, err := taggable(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		merged := maps.Clone(*tags)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, in.Tags)
		if len(merged) > maxTags {
			return InvalidField("tags", "The resource would have %d tags; at most %d are allowed.", len(merged), maxTags)
		}
		*tags = merged
		return save()
	})
}

func (s *Service) UntagResource(ctx context.Context, c Caller, in *UntagResourceInput) error {
	return s.write(ctx, func(tx Tx) error {
		tags, save, err := taggable(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			delete(*tags, k)
		}
		return save()
	})
}

func (s *Service) ListTagsForResource(ctx context.Context, c Caller, in *ResourceArnInput) (*ListTagsOutput, error) {
	out := &ListTagsOutput{}
	err := s.read(ctx, func(tx Tx) error {
		tags, _, err := taggable(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		out.Tags = maps.Clone(*tags)
		if out.Tags == nil {
			out.Tags = map[string]string{}
		}
		return nil
	})
	return out, err
}

type ListInvestigationsInput struct {
	CaseID     string `json:"caseId"`
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults *int   `json:"maxResults,omitempty"`
}

type ListInvestigationsOutput struct {
	InvestigationActions []Investigation `json:"investigationActions"`
	NextToken            string          `json:"nextToken,omitempty"`
}

// ListInvestigations pages the investigation actions recorded on a case.
func (s *Service) ListInvestigations(ctx context.Context, c Caller, in *ListInvestigationsInput) (*ListInvestigationsOutput, error) {
	const list = "ListInvestigations"
	start := 0
	if in.NextToken != "" {
		cur, err := s.tokens.Open(list, c, in.CaseID, in.NextToken)
		if err != nil {
			return nil, err
		}
		if _, err := fmt.Sscanf(cur, "%d", &start); err != nil {
			return nil, Errorf(ErrInvalidToken, "The nextToken is not valid for this request.")
		}
	}
	out := &ListInvestigationsOutput{InvestigationActions: []Investigation{}}
	err := s.read(ctx, func(tx Tx) error {
		cs, err := visibleCase(tx, c, in.CaseID, false)
		if err != nil {
			return err
		}
		end := min(start+pageLimit(in.MaxResults), len(cs.Investigations))
		if start < end {
			out.InvestigationActions = append(out.InvestigationActions, cs.Investigations[start:end]...)
		}
		if end < len(cs.Investigations) {
			out.NextToken = s.tokens.Seal(list, c, in.CaseID, fmt.Sprint(end))
		}
		return nil
	})
	return out, err
}

type SendFeedbackInput struct {
	CaseID     string `json:"caseId"`
	ResultID   string `json:"resultId"`
	Usefulness string `json:"usefulness"`
	Comment    string `json:"comment,omitempty"`
}

// SendFeedback records the caller's rating of an investigation result.
func (s *Service) SendFeedback(ctx context.Context, c Caller, in *SendFeedbackInput) error {
	return s.write(ctx, func(tx Tx) error {
		cs, err := visibleCase(tx, c, in.CaseID, true)
		if err != nil {
			return err
		}
		for i := range cs.Investigations {
			inv := &cs.Investigations[i]
			if inv.InvestigationID != in.ResultID {
				continue
			}
			now := s.clock()
			inv.Feedback = &InvestigationFeedback{Usefulness: in.Usefulness, Comment: in.Comment, SubmittedAt: &now}
			return s.caseChanged(tx, c, nil, cs, ActionFeedbackSent, "",
				fmt.Sprintf("Feedback %s sent for investigation %s", in.Usefulness, in.ResultID), false)
		}
		return NotFound("Investigation result", in.ResultID)
	})
}
