package e2e

import (
	"encoding/json"
	"testing"
)

// TestRestartKeepsIdempotency restarts sird on the same data dir between
// creating resources with client tokens and retrying them: boto3 and the CLI
// get the first results back, and the same token with another request is a
// conflict. Keys, upload URLs and nextTokens issued before survive too.
func TestRestartKeepsIdempotency(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	python3Boto3(t)
	dir := t.TempDir()
	s := startServer(t, "SIRD_DATA_DIR="+dir)
	creds := map[string][2]string{"a": createKey(t, dir, "111111111111", "alice")}
	before := s.py(t, "restart.py", creds, "SIRD_PHASE=before")
	s.stop(t)

	s = startServer(t, "SIRD_DATA_DIR="+dir)
	b, _ := json.Marshal(before)
	s.py(t, "restart.py", creds, "SIRD_PHASE=after", "SIRD_BEFORE="+string(b))

	// The CLI's identical request with the same token: the same case.
	create := []string{"create-case", "--client-token", "restart-case", "--resolver-type", "Self",
		"--title", "Survives restarts", "--description", "d", "--engagement-type", "Investigation",
		"--reported-incident-start-date", "2025-01-02T03:04:05Z", "--impacted-accounts", "111111111111",
		"--watchers", `[{"email":"w@example.com"}]`}
	if got := str(s.awsOK(t, creds["a"], create...), "caseId"); got != str(before, "caseId") {
		t.Errorf("CLI retry after restart: case %s, want %s", got, str(before, "caseId"))
	}
	create[6] = "Another title"
	s.awsErr(t, creds["a"], "ConflictException", create...)
	if got := str(s.awsOK(t, creds["a"], "create-membership", "--client-token", "restart-membership", "--membership-name", "Security",
		"--incident-response-team", jsonArg([]map[string]string{
			{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com"},
			{"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"}})), "membershipId"); got != str(before, "membershipId") {
		t.Errorf("CLI membership retry after restart: %s, want %s", got, str(before, "membershipId"))
	}
}
