package notify

import "errors"

// Permanent marks err as not worth retrying (an address the relay rejects,
// a webhook no longer configured): the delivery is marked dead at once, where
// an operator can see it and Retry it after fixing the cause.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether any error in err's chain says it is permanent
// by having a method Permanent() bool that returns true, so senders can mark
// their errors without importing this package.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() error   { return e.err }
func (e permanentError) Permanent() bool { return true }
