package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
)

// httpErrorType names a non-success response by its X-Amzn-ErrorType,
// falling back to the status so unmodelled failures stay visible.
func httpErrorType(resp *http.Response) string {
	if t := resp.Header.Get("X-Amzn-Errortype"); t != "" {
		// restJson1 allows "Name:namespace-uri" and "ns#Name"; keep Name.
		if i := strings.IndexByte(t, ':'); i >= 0 {
			t = t[:i]
		}
		if i := strings.LastIndexByte(t, '#'); i >= 0 {
			t = t[i+1:]
		}
		return t
	}
	return "HTTP" + strconv.Itoa(resp.StatusCode)
}

// transportErrorType buckets transport failures into a few stable names;
// raw error strings carry addresses and ports that would explode the map.
func transportErrorType(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "transport:canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "transport:timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "transport:connection-refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "transport:connection-reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "transport:eof"
	default:
		return "transport:other"
	}
}
