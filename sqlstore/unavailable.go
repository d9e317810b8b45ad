package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/sird-project/sird"
)

// A database that cannot be reached, or that does not answer in time, is a
// transient condition: the request fails fast with InternalServerException
// and Retry-After, which the AWS SDKs retry, while database/sql keeps
// reconnecting in the background. Errors of the request itself (a unique
// key, a missing row, bad SQL) are not affected.

// Messages of the modeled errors; the cause stays in the error chain.
const (
	msgUnavailable = "The database is unavailable; retry shortly."
	msgBusy        = "The database is busy; retry shortly."
)

// retryAfterSeconds is the Retry-After the modeled errors carry.
const retryAfterSeconds = 1

// unavailable returns err unchanged unless it says the database is
// unreachable, restarting, overloaded or too slow; those become
// InternalServerException with Retry-After, wrapping the cause. An error
// that already is a service error (the service's own, or one mapped before)
// passes through, so unavailable may run on any path more than once.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := sird.AsError(err); ok {
		return err
	}
	switch classify(err) {
	case faultUnreachable:
		return &unavailableError{e: &sird.Error{Code: sird.ErrInternal, Message: msgUnavailable, RetryAfter: retryAfterSeconds}, cause: err}
	case faultBusy:
		return &unavailableError{e: &sird.Error{Code: sird.ErrInternal, Message: msgBusy, RetryAfter: retryAfterSeconds}, cause: err}
	}
	return err
}

// unavailableError is the modeled error with its cause: errors.As finds the
// *sird.Error (what the API answers), errors.Is and the log still see the
// driver's error.
type unavailableError struct {
	e     *sird.Error
	cause error
}

func (u *unavailableError) Error() string   { return u.e.Message + " (" + u.cause.Error() + ")" }
func (u *unavailableError) Unwrap() []error { return []error{u.e, u.cause} }

// IsUnavailable reports whether err is the modeled "database unavailable or
// busy" error: the caller may retry after a short pause.
func IsUnavailable(err error) bool {
	var u *unavailableError
	return errors.As(err, &u)
}

type fault int

const (
	faultNone        fault = iota
	faultUnreachable       // no connection: refused, reset, closed, restarting
	faultBusy              // connected, but the statement ran out of time or locks
)

// PostgreSQL error classes and codes (SQLSTATE) that mean "not now".
const (
	pgClassConnection     = "08"    // connection_exception and its subclasses
	pgAdminShutdown       = "57P01" // the server is shutting down (fast or immediate)
	pgCrashShutdown       = "57P02"
	pgCannotConnectNow    = "57P03" // starting up, or in recovery
	pgTooManyConnections  = "53300"
	pgQueryCanceled       = "57014" // statement_timeout (or a cancel request)
	pgLockNotAvailable    = "55P03" // lock_timeout
	pgIdleInTxTimeout     = "25P03" // idle_in_transaction_session_timeout
	sqliteBusy            = 5       // SQLITE_BUSY and its extended codes: busy_timeout ran out
	sqliteLocked          = 6       // SQLITE_LOCKED: a shared-cache lock
	sqlitePrimaryCodeMask = 0xff
)

func classify(err error) fault {
	if code := pgCode(err); code != "" {
		switch {
		case strings.HasPrefix(code, pgClassConnection), code == pgAdminShutdown, code == pgCrashShutdown,
			code == pgCannotConnectNow, code == pgTooManyConnections, code == pgIdleInTxTimeout:
			return faultUnreachable
		case code == pgQueryCanceled, code == pgLockNotAvailable:
			return faultBusy
		}
		return faultNone // any other answer from the server is about the request
	}
	if code, ok := sqliteErrCode(err); ok {
		switch code & sqlitePrimaryCodeMask {
		case sqliteBusy, sqliteLocked:
			return faultBusy
		}
		return faultNone
	}
	// The caller gave up: not the database's fault, and nobody reads the answer.
	if errors.Is(err, context.Canceled) {
		return faultNone
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ETIMEDOUT),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.As(err, &netErr):
		return faultUnreachable
	case pgconn.Timeout(err):
		return faultBusy
	}
	return faultNone
}
