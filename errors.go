package sird

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrorCode names one kind of failure. Every code has a row in errorTable
// giving its wire name (the __type and X-Amzn-ErrorType value) and HTTP status.
type ErrorCode int

const (
	ErrInternal ErrorCode = iota
	ErrValidation
	ErrAccessDenied
	ErrConflict
	ErrResourceNotFound
	ErrNotActive
	ErrServiceQuotaExceeded
	ErrThrottling
	ErrInvalidToken
	ErrUnknownOperation
	ErrServiceUnavailable
	// Authentication failures (the Common Errors section of the API reference).
	ErrIncompleteSignature
	ErrInvalidSignature
	ErrUnrecognizedClient
	ErrRequestExpired
	ErrRequestEntityTooLarge
	ErrMalformedHTTPRequest
	ErrRequestTimeout
	errorCodeCount
)

type errorInfo struct {
	Name   string
	Status int
}

var errorTable = [errorCodeCount]errorInfo{
	ErrInternal:              {"InternalServerException", http.StatusInternalServerError},
	ErrValidation:            {"ValidationException", http.StatusBadRequest},
	ErrAccessDenied:          {"AccessDeniedException", http.StatusForbidden},
	ErrConflict:              {"ConflictException", http.StatusConflict},
	ErrResourceNotFound:      {"ResourceNotFoundException", http.StatusNotFound},
	ErrNotActive:             {"SecurityIncidentResponseNotActiveException", http.StatusBadRequest},
	ErrServiceQuotaExceeded:  {"ServiceQuotaExceededException", http.StatusPaymentRequired},
	ErrThrottling:            {"ThrottlingException", http.StatusTooManyRequests},
	ErrInvalidToken:          {"InvalidTokenException", http.StatusLocked},
	ErrUnknownOperation:      {"UnknownOperationException", http.StatusNotFound},
	ErrServiceUnavailable:    {"ServiceUnavailable", http.StatusServiceUnavailable},
	ErrIncompleteSignature:   {"IncompleteSignature", http.StatusForbidden},
	ErrInvalidSignature:      {"InvalidSignatureException", http.StatusForbidden},
	ErrUnrecognizedClient:    {"UnrecognizedClientException", http.StatusForbidden},
	ErrRequestExpired:        {"RequestExpired", http.StatusBadRequest},
	ErrRequestEntityTooLarge: {"RequestEntityTooLargeException", http.StatusRequestEntityTooLarge},
	ErrMalformedHTTPRequest:  {"MalformedHttpRequestException", http.StatusBadRequest},
	ErrRequestTimeout:        {"RequestTimeoutException", http.StatusRequestTimeout},
}

// Name is the error's wire name.
func (c ErrorCode) Name() string {
	if c < 0 || c >= errorCodeCount {
		return errorTable[ErrInternal].Name
	}
	return errorTable[c].Name
}

// Status is the HTTP status the error is answered with.
func (c ErrorCode) Status() int {
	if c < 0 || c >= errorCodeCount {
		return errorTable[ErrInternal].Status
	}
	return errorTable[c].Status
}

// ValidationReason values of ValidationException.reason.
const (
	ReasonUnknownOperation      = "UNKNOWN_OPERATION"
	ReasonCannotParse           = "CANNOT_PARSE"
	ReasonFieldValidationFailed = "FIELD_VALIDATION_FAILED"
	ReasonOther                 = "OTHER"
)

// FieldError names one member that failed validation.
type FieldError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Error is the one error type the service answers with. Members beyond Code
// and Message are filled only where the model gives the error that member.
type Error struct {
	Code    ErrorCode
	Message string

	Reason       string       // ValidationException
	Fields       []FieldError // ValidationException
	ResourceID   string       // ConflictException, ServiceQuotaExceededException
	ResourceType string       // ConflictException, ServiceQuotaExceededException
	ServiceCode  string       // ServiceQuotaExceededException, ThrottlingException
	QuotaCode    string       // ServiceQuotaExceededException, ThrottlingException
	RetryAfter   int          // seconds; InternalServerException, ThrottlingException (Retry-After header)
}

func (e *Error) Error() string { return e.Code.Name() + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ValidationError reports bad fields with reason FIELD_VALIDATION_FAILED.
func ValidationError(fields ...FieldError) *Error {
	msg := "1 validation error detected"
	if len(fields) != 1 {
		msg = fmt.Sprintf("%d validation errors detected", len(fields))
	}
	for i, f := range fields {
		sep := ": "
		if i > 0 {
			sep = "; "
		}
		msg += sep + f.Name + ": " + f.Message
	}
	return &Error{Code: ErrValidation, Message: msg, Reason: ReasonFieldValidationFailed, Fields: fields}
}

// InvalidField is ValidationError for one field.
func InvalidField(name, format string, args ...any) *Error {
	return ValidationError(FieldError{Name: name, Message: fmt.Sprintf(format, args...)})
}

// NotFound is the error for a resource the caller cannot see.
func NotFound(kind, id string) *Error {
	return Errorf(ErrResourceNotFound, "%s %s not found", kind, id)
}

// Conflict is a ConflictException naming the resource in the way.
func Conflict(resourceType, resourceID, format string, args ...any) *Error {
	e := Errorf(ErrConflict, format, args...)
	e.ResourceType, e.ResourceID = resourceType, resourceID
	return e
}

// QuotaExceeded is a ServiceQuotaExceededException.
func QuotaExceeded(resourceType, resourceID, quotaCode, format string, args ...any) *Error {
	e := Errorf(ErrServiceQuotaExceeded, format, args...)
	e.ResourceType, e.ResourceID = resourceType, resourceID
	e.ServiceCode, e.QuotaCode = "security-ir", quotaCode
	return e
}

// AsError finds the service error in err's chain; anything else is internal.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the ErrorCode of err, ErrInternal for unknown errors.
func CodeOf(err error) ErrorCode {
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return ErrInternal
}
