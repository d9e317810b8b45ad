package sird

import (
	"context"
	"errors"
	"fmt"
)

type CreateCaseCommentInput struct {
	CaseID      string `json:"caseId"`
	ClientToken string `json:"clientToken,omitempty"`
	Body        string `json:"body"`
}

type CreateCaseCommentOutput struct {
	CommentID string `json:"commentId"`
}

type ListCommentsInput struct {
	CaseID     string `json:"caseId"`
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults *int   `json:"maxResults,omitempty"`
}

type ListCommentsOutput struct {
	Items     []Comment `json:"items"`
	NextToken string    `json:"nextToken,omitempty"`
	Total     int       `json:"total"`
}

type UpdateCaseCommentInput struct {
	CaseID    string `json:"caseId"`
	CommentID string `json:"commentId"`
	Body      string `json:"body"`
}

type UpdateCaseCommentOutput struct {
	CommentID string `json:"commentId"`
	Body      string `json:"body"`
}

// maxComments is what 6-digit sequential comment IDs allow per case.
const maxComments = 999999

// CreateCaseComment adds a comment; IDs are 6 digits, sequential per case.
func (s *Service) CreateCaseComment(ctx context.Context, c Caller, in *CreateCaseCommentInput) (*CreateCaseCommentOutput, error) {
	token := in.ClientToken
	req := *in // the request without its token, leaving the caller's input as it was
	req.ClientToken = ""
	digest := jsonDigest(&req)
	scope := "CreateCaseComment/" + c.AccountID + "/" + c.Region + "/" + in.CaseID
	var out CreateCaseCommentOutput
	err := s.write(ctx, func(tx Tx) error {
		if id, found, err := idempotent(tx, scope, token, digest); err != nil || found {
			out.CommentID = id
			return err
		}
		m, cs, err := s.writableCase(tx, c, in.CaseID)
		if err != nil {
			return err
		}
		if cs.CommentCount >= maxComments {
			return QuotaExceeded("case", cs.ID, "comments-per-case", "Case %s has reached %d comments.", cs.ID, maxComments)
		}
		cs.CommentCount++
		if cs.PendingAction == PendingCustomer {
			cs.PendingAction = PendingNone // the customer's reply is the awaited action
		}
		now := s.clock()
		cm := &Comment{CaseID: cs.ID, ID: fmt.Sprintf("%06d", cs.CommentCount), Body: in.Body, Creator: c.Principal, CreatedDate: now}
		if err := tx.InsertComment(cm); err != nil {
			return err
		}
		if token != "" {
			if err := tx.PutIdempotency(scope, token, digest.sum, cm.ID, now.Time); err != nil {
				return err
			}
		}
		out.CommentID = cm.ID
		return s.caseChanged(tx, c, m, cs, ActionCommentAdded, EventCaseCommentAdded,
			fmt.Sprintf("Comment %s added by %s", cm.ID, c.Principal), false)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListComments pages a case's comments oldest first (by comment ID).
func (s *Service) ListComments(ctx context.Context, c Caller, in *ListCommentsInput) (*ListCommentsOutput, error) {
	const list = "ListComments"
	after := ""
	if in.NextToken != "" {
		var err error
		if after, err = s.tokens.Open(list, c, in.CaseID, in.NextToken); err != nil {
			return nil, err
		}
	}
	out := &ListCommentsOutput{Items: []Comment{}}
	err := s.read(ctx, func(tx Tx) error {
		cs, err := visibleCase(tx, c, in.CaseID, false)
		if err != nil {
			return err
		}
		out.Total = cs.CommentCount
		items, next, err := tx.ListComments(cs.ID, Page{After: after, Limit: pageLimit(in.MaxResults)})
		if err != nil {
			return err
		}
		for _, cm := range items {
			if cm.LastUpdatedDate == nil { // never edited: the creation is the last update
				cm.LastUpdatedBy, cm.LastUpdatedDate = cm.Creator, &cm.CreatedDate
			}
			out.Items = append(out.Items, *cm)
		}
		if next != "" {
			out.NextToken = s.tokens.Seal(list, c, in.CaseID, next)
		}
		return nil
	})
	return out, err
}

// UpdateCaseComment replaces a comment's body. Only the comment's creator
// may edit it; responders and other principals of the account may not.
func (s *Service) UpdateCaseComment(ctx context.Context, c Caller, in *UpdateCaseCommentInput) (*UpdateCaseCommentOutput, error) {
	err := s.write(ctx, func(tx Tx) error {
		m, cs, err := s.writableCase(tx, c, in.CaseID)
		if err != nil {
			return err
		}
		cm, err := tx.GetComment(cs.ID, in.CommentID, true)
		if errors.Is(err, ErrNotExist) {
			return NotFound("Comment", in.CommentID)
		}
		if err != nil {
			return err
		}
		if cm.Creator != c.Principal {
			return Errorf(ErrAccessDenied, "Comment %s was written by another principal; only its creator can edit it.", cm.ID)
		}
		now := s.clock()
		cm.Body, cm.LastUpdatedBy, cm.LastUpdatedDate = in.Body, c.Principal, &now
		if err := tx.UpdateComment(cm); err != nil {
			return err
		}
		return s.caseChanged(tx, c, m, cs, ActionCommentUpdated, EventCaseCommentUpdated,
			fmt.Sprintf("Comment %s edited by %s", cm.ID, c.Principal), false)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateCaseCommentOutput{CommentID: in.CommentID, Body: in.Body}, nil
}
