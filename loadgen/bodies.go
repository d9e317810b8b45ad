package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// bodies are built once before the run so the hot path only copies bytes.
type bodies struct {
	createCases []tokenBody
	updates     [][]byte
	comments    []tokenBody
	membership  tokenBody
	listCases   []byte
	empty       []byte
}

// tokenBody is a JSON template whose clientToken is rewritten per request:
// the SDK sends a fresh idempotency token with every create, and a fixed
// one would make the server answer replays instead of doing the work.
type tokenBody struct {
	tpl []byte
	at  int // offset of the 36-byte token inside tpl
}

const tokenPlaceholder = "00000000-0000-4000-8000-000000000000"

func newTokenBody(v any) tokenBody {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only fixed local structs are marshalled
	}
	at := bytes.Index(b, []byte(tokenPlaceholder))
	if at < 0 {
		panic("loadgen: body template lacks a token placeholder")
	}
	return tokenBody{b, at}
}

// fresh returns a private copy with a new random UUIDv4 token. It copies
// rather than reusing a buffer because net/http may still be writing a
// body after RoundTrip returns.
func (t tokenBody) fresh(rng *rand.Rand) []byte {
	b := make([]byte, len(t.tpl))
	copy(b, t.tpl)
	putUUID(b[t.at:t.at+36], rng)
	return b
}

func putUUID(dst []byte, rng *rand.Rand) {
	const hexDigits = "0123456789abcdef"
	var u [16]byte
	hi, lo := rng.Uint64(), rng.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(hi>>(8*i)), byte(lo>>(8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst[j] = '-'
			j++
		}
		dst[j], dst[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
}

func (b *bodies) createCase(rng *rand.Rand) []byte {
	return b.createCases[rng.IntN(len(b.createCases))].fresh(rng)
}

func (b *bodies) comment(rng *rand.Rand) []byte {
	return b.comments[rng.IntN(len(b.comments))].fresh(rng)
}

// updateCase bodies carry no token, so they are shared read-only.
func (b *bodies) updateCase(rng *rand.Rand) []byte {
	return b.updates[rng.IntN(len(b.updates))]
}

type watcher struct {
	Email    string `json:"email"`
	Name     string `json:"name,omitempty"`
	JobTitle string `json:"jobTitle,omitempty"`
}

type regionItem struct {
	Region string `json:"region"`
}

type createCaseBody struct {
	ClientToken               string       `json:"clientToken"`
	ResolverType              string       `json:"resolverType"`
	Title                     string       `json:"title"`
	Description               string       `json:"description"`
	EngagementType            string       `json:"engagementType"`
	ReportedIncidentStartDate int64        `json:"reportedIncidentStartDate"`
	ImpactedAccounts          []string     `json:"impactedAccounts"`
	Watchers                  []watcher    `json:"watchers"`
	ImpactedAwsRegions        []regionItem `json:"impactedAwsRegions"`
}

type responder struct {
	Name     string `json:"name"`
	JobTitle string `json:"jobTitle"`
	Email    string `json:"email"`
}

type createMembershipBody struct {
	ClientToken          string      `json:"clientToken"`
	MembershipName       string      `json:"membershipName"`
	IncidentResponseTeam []responder `json:"incidentResponseTeam"`
}

var (
	incidentThemes = []string{
		"Suspicious IAM access key usage",
		"Unauthorized EC2 instances launched",
		"S3 bucket policy opened to the public",
		"Possible credential compromise of CI role",
		"Cryptocurrency mining detected on EKS nodes",
		"Anomalous API calls from unfamiliar ASN",
		"Root account console login without MFA",
		"Data exfiltration suspected via DNS tunnelling",
	}
	jobTitles   = []string{"Security Analyst", "Cloud Engineer", "Incident Commander", "SOC Lead"}
	awsRegions  = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"}
	noteOpeners = []string{
		"Triage update:", "Containment:", "Forensics note:", "Customer comms:", "Eradication:",
	}
)

const (
	createVariants  = 64
	updateVariants  = 32
	commentVariants = 32
)

// newBodies builds realistic request bodies. A fixed seed keeps runs
// comparable; now anchors incident dates in the recent past.
func newBodies(now time.Time) *bodies {
	rng := rand.New(rand.NewPCG(0x5eed, 0xbe7c4))
	b := &bodies{
		listCases: []byte(`{"maxResults":25}`),
		empty:     []byte(`{}`),
	}
	for i := range createVariants {
		theme := incidentThemes[rng.IntN(len(incidentThemes))]
		accounts := make([]string, 1+rng.IntN(3))
		for j := range accounts {
			accounts[j] = fmt.Sprintf("%012d", rng.Int64N(1e12))
		}
		watchers := make([]watcher, 1+rng.IntN(2))
		for j := range watchers {
			n := rng.IntN(500)
			watchers[j] = watcher{
				Email:    fmt.Sprintf("analyst%d@example.com", n),
				Name:     fmt.Sprintf("Analyst %d", n),
				JobTitle: jobTitles[rng.IntN(len(jobTitles))],
			}
		}
		regions := make([]regionItem, 1+rng.IntN(2))
		for j := range regions {
			regions[j] = regionItem{awsRegions[rng.IntN(len(awsRegions))]}
		}
		b.createCases = append(b.createCases, newTokenBody(createCaseBody{
			ClientToken:  tokenPlaceholder,
			ResolverType: "Self",
			Title:        fmt.Sprintf("%s (bench %d)", theme, i),
			Description: fmt.Sprintf("%s. First observed by automated detection in account %s; "+
				"%d related findings were raised within the hour. Affected principals have been "+
				"tagged for review and the on-call responder has been paged. Scope, root cause "+
				"and blast radius are still under investigation.", theme, accounts[0], 2+rng.IntN(40)),
			EngagementType:            "Security Incident",
			ReportedIncidentStartDate: now.Add(-time.Duration(1+rng.IntN(72)) * time.Hour).Unix(),
			ImpactedAccounts:          accounts,
			Watchers:                  watchers,
			ImpactedAwsRegions:        regions,
		}))
	}
	for i := range updateVariants {
		u, err := json.Marshal(map[string]string{"description": fmt.Sprintf(
			"Revised assessment %d: scope narrowed to %d resources after log review; "+
				"containment actions applied and monitoring increased.", i, 1+rng.IntN(30))})
		if err != nil {
			panic(err)
		}
		b.updates = append(b.updates, u)
	}
	for i := range commentVariants {
		b.comments = append(b.comments, newTokenBody(map[string]string{
			"clientToken": tokenPlaceholder,
			"body": fmt.Sprintf("%s step %d completed; %d hosts isolated, snapshots taken, "+
				"awaiting confirmation from the workload owner before the next action.",
				noteOpeners[rng.IntN(len(noteOpeners))], i, rng.IntN(12)),
		}))
	}
	b.membership = newTokenBody(createMembershipBody{
		ClientToken:    tokenPlaceholder,
		MembershipName: "sird-bench",
		IncidentResponseTeam: []responder{
			{Name: "Bench Responder One", JobTitle: "Incident Commander", Email: "responder1@example.com"},
			{Name: "Bench Responder Two", JobTitle: "Security Analyst", Email: "responder2@example.com"},
		},
	})
	return b
}
