package sigv4

import (
	"fmt"
	"time"

	"github.com/sird-project/sird"
)

func incomplete(format string, args ...any) *sird.Error {
	return sird.Errorf(sird.ErrIncompleteSignature, format, args...)
}

// clip bounds client-supplied text echoed into an error message, so a
// hostile header cannot make responses or logs arbitrarily large.
func clip(s string) string {
	const max = 128
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

func formatTime(t time.Time) string { return t.UTC().Format(amzDateFmt) }

// formatSkew writes the skew the way AWS does: "15 min".
func formatSkew(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int64(d/time.Minute))
	}
	return d.String()
}
