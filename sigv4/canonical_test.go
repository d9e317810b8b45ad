package sigv4

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestCanonicalURI(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{"empty", "", "/"},
		{"root", "/", "/"},
		{"plain", "/v1/cases/123/get-case", "/v1/cases/123/get-case"},
		{"escaped arn", arnPath, "/v1/tags/arn%253Aaws%253Asecurity-ir%253Aus-east-1%253A123456789012%253Amembership%252Fm-abc"},
		{"raw colon", "/v1/tags/arn:aws", "/v1/tags/arn%3Aaws"},
		{"space escape", "/a%20b", "/a%2520b"},
		{"dot segments kept", "/v1/../x/./y//z", "/v1/../x/./y//z"},
		{"unreserved kept", "/A-z_0.9~", "/A-z_0.9~"},
		{"utf-8", "/caf\xc3\xa9", "/caf%C3%A9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendCanonicalURI(nil, tt.path)); got != tt.want {
				t.Errorf("canonical URI of %q: got %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		name, raw string
		presigned bool
		want      string
	}{
		{"empty", "", false, ""},
		{"sorted by key", "b=2&a=1", false, "a=1&b=2"},
		{"repeated key sorted by value", "tagKeys=b%2Fc&tagKeys=a", false, "tagKeys=a&tagKeys=b%2Fc"},
		// Sorting happens after encoding: '%' sorts before '-'.
		{"sorted after encoding", "k=a-b&k=a%2Fb", false, "k=a%2Fb&k=a-b"},
		{"space forms", "q=a+b&r=a%20b", false, "q=a%20b&r=a%20b"},
		{"plus literal", "q=a%2Bb", false, "q=a%2Bb"},
		{"lower hex normalised", "q=%2f", false, "q=%2F"},
		{"no value", "flag&x=", false, "flag=&x="},
		{"empty pairs skipped", "a=1&&b=2&", false, "a=1&b=2"},
		{"bad escape kept literally", "q=%zz", false, "q=%25zz"},
		{"semicolon kept", "a=1;b=2", false, "a=1%3Bb%3D2"},
		{"signature left out when presigned", "X-Amz-Signature=ab&a=1", true, "a=1"},
		{"signature kept in header form", "X-Amz-Signature=ab&a=1", false, "X-Amz-Signature=ab&a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendCanonicalQuery(nil, parseQuery(tt.raw), tt.presigned))
			if got != tt.want {
				t.Errorf("canonical query of %q: got %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := &http.Request{
		Host:          "sird.test",
		ContentLength: 12,
		Header: http.Header{
			"X-Multi":     {"a  b", " c "},
			"X-Spaces":    {"  lots   of    space  "},
			"lower-case":  {"v"},
			"Content-Md5": {"abc"},
		},
		TransferEncoding: []string{"chunked"},
	}
	got := string(appendCanonicalHeaders(nil, r, "content-length;host;lower-case;transfer-encoding;x-absent;x-multi;x-spaces"))
	want := "content-length:12\nhost:sird.test\nlower-case:v\ntransfer-encoding:chunked\nx-absent:\nx-multi:a b,c\nx-spaces:lots of space\n"
	if got != want {
		t.Errorf("canonical headers: got %q, want %q", got, want)
	}
}

func TestWireTarget(t *testing.T) {
	tests := []struct {
		name, requestURI string
		url              *url.URL
		path, query      string
	}{
		{"origin form", "/a%2Fb?x=1", &url.URL{Path: "/a/b", RawQuery: "x=1"}, "/a%2Fb", "x=1"},
		{"absolute form", "http://h:1/a%3Ab?x=1", &url.URL{Path: "/a:b", RawQuery: "x=1"}, "/a%3Ab", "x=1"},
		{"absolute form no path", "http://h:1?x=1", &url.URL{RawQuery: "x=1"}, "", "x=1"},
		{"in-process", "", &url.URL{Path: "/a b", RawQuery: "x=1"}, "/a%20b", "x=1"},
		{"no url", "", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, q := wireTarget(&http.Request{RequestURI: tt.requestURI, URL: tt.url})
			if p != tt.path || q != tt.query {
				t.Errorf("wireTarget: got %q, %q, want %q, %q", p, q, tt.path, tt.query)
			}
		})
	}
}

// TestAWSDocumentationExample checks the worked example of the SigV4
// documentation (IAM ListUsers, 2015-08-30), independent of any SDK.
func TestAWSDocumentationExample(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	key := deriveKey(secret, "20150830", "us-east-1", "iam")
	if got, want := hex.EncodeToString(key[:]), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"; got != want {
		t.Fatalf("signing key: got %s, want %s", got, want)
	}
	r := &http.Request{
		Method:     "GET",
		RequestURI: "/?Action=ListUsers&Version=2010-05-08",
		URL:        &url.URL{Path: "/", RawQuery: "Action=ListUsers&Version=2010-05-08"},
		Host:       "iam.amazonaws.com",
		Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"},
			"X-Amz-Date":   {"20150830T123600Z"},
			"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
				"SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
		},
	}
	v := &Verifier{
		Service: "iam",
		Now:     func() time.Time { return time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC) },
		Lookup:  func(context.Context, string) (string, error) { return secret, nil },
	}
	if _, err := v.Verify(context.Background(), r, nil); err != nil {
		t.Fatalf("Verify: got %v, want nil", err)
	}
}
