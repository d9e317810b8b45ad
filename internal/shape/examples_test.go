package shape

import (
	"regexp"
	"testing"
)

// patternExamples are short valid values for every pattern-constrained
// string shape: a pattern is not something a test can invert generically.
// Each is as short as the shape's min length allows, so it can be padded to
// reach a longer boundary (patterns are unanchored, so padding keeps the
// match; TestPatternExamples checks).
var patternExamples = map[string]string{
	"AWSAccountId":         "123456789012",
	"Arn":                  "arn:aws:security-ir:us-east-1:123456789012:case/1234567890",
	"AttachmentId":         "0123abcd-0123-4567-89ab-0123456789ab",
	"AwsService":           "s3",
	"CaseArn":              "arn:aws:security-ir:us-east-1:123456789012:case/1234567890",
	"CaseId":               "1234567890",
	"CommentId":            "123456",
	"EmailAddress":         "a@b.co",
	"FileName":             "f",
	"IPAddress":            "192.0.2.1",
	"InvestigationId":      "inv-0123456789",
	"MembershipArn":        "arn:aws:security-ir:us-east-1:123456789012:membership/m-0123456789",
	"MembershipId":         "m-0123456789",
	"OrganizationalUnitId": "ou-abcd-abcdefgh",
	"PrincipalId":          "AWS Responder",
	"ResultId":             "inv-0123456789",
	"Url":                  "https://example.com/x",
}

// patternBreakers are tried in order to find a value that misses a pattern.
var patternBreakers = []rune{'@', '!', 'é', ' '}

func TestPatternExamples(t *testing.T) {
	m, _ := loadModel(t)
	for name, s := range m.Shapes {
		if s.Pattern == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			ex, ok := patternExamples[name]
			if !ok {
				t.Fatalf("no example for pattern shape %s (pattern %s)", name, *s.Pattern)
			}
			re := regexp.MustCompile(relaxRepeats(*s.Pattern))
			if !re.MatchString(ex) {
				t.Errorf("example %q does not match %s", ex, *s.Pattern)
			}
			if s.Max != nil {
				if padded := padTo(ex, int(*s.Max)); !re.MatchString(padded) {
					t.Errorf("padded example %q does not match %s", padded, *s.Pattern)
				}
			}
		})
	}
}
