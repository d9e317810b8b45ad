package api

import (
	"context"
	"net/url"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/shape"
)

type handler func(svc *sird.Service, ctx context.Context, c sird.Caller, op *shape.Operation, labels map[string]string, q url.Values, body []byte) (any, error)

// call adapts a service method with output to a handler: decode and
// validate In, call, return Out.
func call[In, Out any](fn func(*sird.Service, context.Context, sird.Caller, *In) (*Out, error)) handler {
	return func(svc *sird.Service, ctx context.Context, c sird.Caller, op *shape.Operation, labels map[string]string, q url.Values, body []byte) (any, error) {
		in := new(In)
		if err := shape.Decode(op, labels, q, body, in); err != nil {
			return nil, err
		}
		out, err := fn(svc, ctx, c, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// callEmpty adapts a service method whose output has no members.
func callEmpty[In any](fn func(*sird.Service, context.Context, sird.Caller, *In) error) handler {
	return func(svc *sird.Service, ctx context.Context, c sird.Caller, op *shape.Operation, labels map[string]string, q url.Values, body []byte) (any, error) {
		in := new(In)
		if err := shape.Decode(op, labels, q, body, in); err != nil {
			return nil, err
		}
		return nil, fn(svc, ctx, c, in)
	}
}

// handlers maps every operation of the model to the service.
var handlers = map[string]handler{
	"BatchGetMemberAccountDetails": call((*sird.Service).BatchGetMemberAccountDetails),
	"CancelMembership":             call((*sird.Service).CancelMembership),
	"CloseCase":                    call((*sird.Service).CloseCase),
	"CreateCase":                   call((*sird.Service).CreateCase),
	"CreateCaseComment":            call((*sird.Service).CreateCaseComment),
	"CreateMembership":             call((*sird.Service).CreateMembership),
	"GetCase":                      call((*sird.Service).GetCase),
	"GetCaseAttachmentDownloadUrl": call((*sird.Service).GetCaseAttachmentDownloadURL),
	"GetCaseAttachmentUploadUrl":   call((*sird.Service).GetCaseAttachmentUploadURL),
	"GetMembership":                call((*sird.Service).GetMembership),
	"ListCaseEdits":                call((*sird.Service).ListCaseEdits),
	"ListCases":                    call((*sird.Service).ListCases),
	"ListComments":                 call((*sird.Service).ListComments),
	"ListInvestigations":           call((*sird.Service).ListInvestigations),
	"ListMemberships":              call((*sird.Service).ListMemberships),
	"ListTagsForResource":          call((*sird.Service).ListTagsForResource),
	"SendFeedback":                 callEmpty((*sird.Service).SendFeedback),
	"TagResource":                  callEmpty((*sird.Service).TagResource),
	"UntagResource":                callEmpty((*sird.Service).UntagResource),
	"UpdateCase":                   callEmpty((*sird.Service).UpdateCase),
	"UpdateCaseComment":            call((*sird.Service).UpdateCaseComment),
	"UpdateCaseStatus":             call((*sird.Service).UpdateCaseStatus),
	"UpdateMembership":             callEmpty((*sird.Service).UpdateMembership),
	"UpdateResolverType":           call((*sird.Service).UpdateResolverType),
}
