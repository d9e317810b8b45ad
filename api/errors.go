package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/sird-project/sird"
)

// errorBody is the restJson1 error document; members appear only where the
// model gives the error that member.
type errorBody struct {
	Type         string            `json:"__type"`
	Message      string            `json:"message"`
	Reason       string            `json:"reason,omitempty"`
	FieldList    []sird.FieldError `json:"fieldList,omitempty"`
	ResourceID   *string           `json:"resourceId,omitempty"`
	ResourceType *string           `json:"resourceType,omitempty"`
	ServiceCode  *string           `json:"serviceCode,omitempty"`
	QuotaCode    *string           `json:"quotaCode,omitempty"`
}

// writeError answers err in the service's format. Errors that are not
// *sird.Error become InternalServerException; their details go to the log only.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e, ok := sird.AsError(err)
	if !ok {
		log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = sird.Errorf(sird.ErrInternal, "An internal error occurred. Try again later.")
		var retry interface{ RetryAfter() int }
		if errors.As(err, &retry) {
			e.RetryAfter = retry.RetryAfter()
		}
	}
	body := errorBody{Type: e.Code.Name(), Message: e.Message}
	switch e.Code {
	case sird.ErrValidation:
		body.Reason = e.Reason
		if body.Reason == "" {
			body.Reason = sird.ReasonOther
		}
		body.FieldList = e.Fields
	case sird.ErrConflict:
		body.ResourceID, body.ResourceType = &e.ResourceID, &e.ResourceType
	case sird.ErrServiceQuotaExceeded:
		body.ResourceID, body.ResourceType = &e.ResourceID, &e.ResourceType
		body.ServiceCode, body.QuotaCode = &e.ServiceCode, &e.QuotaCode
	case sird.ErrThrottling:
		body.ServiceCode, body.QuotaCode = &e.ServiceCode, &e.QuotaCode
	}
	h := w.Header()
	h.Set("X-Amzn-ErrorType", e.Code.Name())
	h.Set("Content-Type", "application/json")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.WriteHeader(e.Code.Status())
	b, _ := json.Marshal(body)
	w.Write(b)
}
