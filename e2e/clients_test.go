package e2e

// Helpers for the end-to-end tests that drive sird with the official
// clients: the AWS CLI (through server.aws) and boto3 (Python scripts under
// testdata/), plus the sird admin commands the tests need (keys, orgs).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireClients reports whether a missing client must fail the test.
func requireClients() bool { return os.Getenv("SIRD_REQUIRE_AWSCLI") != "" }

var (
	boto3Once sync.Once
	boto3Path string
	boto3Err  error
)

// python3Boto3 finds python3 on PATH with boto3 importable and the
// security-ir model known; tests skip without it unless SIRD_REQUIRE_AWSCLI
// is set.
func python3Boto3(tb testing.TB) string {
	tb.Helper()
	boto3Once.Do(func() {
		p, err := exec.LookPath("python3")
		if err != nil {
			boto3Err = fmt.Errorf("python3 is not on PATH")
			return
		}
		out, err := exec.Command(p, "-c",
			`import boto3; boto3.session.Session().client("security-ir", region_name="us-east-1"); print(boto3.__version__)`).CombinedOutput()
		if err != nil {
			boto3Err = fmt.Errorf("python3 has no boto3 with the security-ir model: %v\n%s", err, out)
			return
		}
		boto3Path = p
	})
	if boto3Err != nil {
		if requireClients() {
			tb.Fatalf("SIRD_REQUIRE_AWSCLI is set but %v", boto3Err)
		}
		tb.Skip(boto3Err.Error())
	}
	return boto3Path
}

// pyResult is what a testdata script prints as its last stdout line.
type pyResult = map[string]any

// py runs testdata/script with python3 against s. Credentials are passed as
// SIRD_CREDS (a JSON object of name -> [key, secret]); extra holds more
// NAME=value pairs. The script reports failed checks in "failures" and exits
// non-zero; either fails the test with the script's output.
func (s *server) py(tb testing.TB, script string, creds map[string][2]string, extra ...string) pyResult {
	tb.Helper()
	bin := python3Boto3(tb)
	cj, _ := json.Marshal(creds)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, filepath.Join("testdata", script))
	cmd.Env = append(os.Environ(),
		"SIRD_ENDPOINT="+s.URL, "SIRD_CREDS="+string(cj),
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "PYTHONDONTWRITEBYTECODE=1")
	cmd.Env = append(cmd.Env, extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res pyResult
	if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &res); jerr != nil || err != nil {
		tb.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s\nsird logs:\n%s", script, err, stdout.String(), stderr.String(), s.logs)
	}
	if f, _ := res["failures"].([]any); len(f) > 0 {
		for _, x := range f {
			tb.Errorf("%s: %v", script, x)
		}
	}
	return res
}

// sirdCmd runs the sird binary (not the server) and returns its stdout.
func sirdCmd(tb testing.TB, args ...string) string {
	tb.Helper()
	return sirdWith(tb, nil, args...)
}

// sirdWith runs the sird binary with extra environment and returns its stdout.
func sirdWith(tb testing.TB, env []string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(sirdBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("sird %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// createKey issues an access key for account/user in dataDir (the server
// may be running: SQLite in WAL mode takes a second writer).
func createKey(tb testing.TB, dataDir, account, user string) [2]string {
	tb.Helper()
	return newKey(tb, nil, "--account", account, "--user", user, "--data-dir", dataDir)
}

// newKey runs `sird keys create ARGS...` with extra environment and returns
// the key pair it prints.
func newKey(tb testing.TB, env []string, args ...string) [2]string {
	tb.Helper()
	out := sirdWith(tb, env, append([]string{"keys", "create"}, args...)...)
	var creds [2]string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "AWS_ACCESS_KEY_ID="); ok {
			creds[0] = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "AWS_SECRET_ACCESS_KEY="); ok {
			creds[1] = strings.TrimSpace(v)
		}
	}
	if creds[0] == "" || creds[1] == "" {
		tb.Fatalf("sird keys create printed no key pair:\n%s", out)
	}
	return creds
}

// loadOrg declares organizations with `sird org load FILE --data-dir DIR`.
func loadOrg(tb testing.TB, dataDir, declaration string) {
	tb.Helper()
	loadOrgWith(tb, nil, declaration, "--data-dir", dataDir)
}

// loadOrgWith declares organizations with `sird org load FILE ARGS...` and
// extra environment.
func loadOrgWith(tb testing.TB, env []string, declaration string, args ...string) {
	tb.Helper()
	f := filepath.Join(tb.TempDir(), "org.json")
	if err := os.WriteFile(f, []byte(declaration), 0o600); err != nil {
		tb.Fatal(err)
	}
	sirdWith(tb, env, append([]string{"org", "load", f}, args...)...)
}

// awsOK runs the CLI and fails the test unless it succeeds.
func (s *server) awsOK(tb testing.TB, creds [2]string, args ...string) map[string]any {
	tb.Helper()
	res := s.aws(tb, creds, args...)
	if res.Code != 0 {
		tb.Fatalf("aws security-ir %s: exit %d\n%s", strings.Join(args, " "), res.Code, res.Stderr)
	}
	if res.Out == nil {
		res.Out = map[string]any{}
	}
	return res.Out
}

// awsErr runs the CLI expecting a failure with the given error code.
func (s *server) awsErr(tb testing.TB, creds [2]string, code string, args ...string) {
	tb.Helper()
	res := s.aws(tb, creds, args...)
	if res.Code == 0 || !strings.Contains(res.Stderr, "("+code+")") {
		tb.Errorf("aws security-ir %s: exit %d, stderr %q, output %v; want %s",
			strings.Join(args, " "), res.Code, strings.TrimSpace(res.Stderr), res.Out, code)
	}
}

// jsonArg renders v as a CLI JSON argument.
func jsonArg(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// normalize round-trips v through JSON so it compares with decoded output.
func normalize(tb testing.TB, v any) any {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// wantJSON compares got with want (any JSON-able value) exactly.
func wantJSON(tb testing.TB, what string, got, want any) {
	tb.Helper()
	g, w := normalize(tb, got), normalize(tb, want)
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		tb.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

// field walks a decoded JSON document: keys for objects, ints for arrays.
func field(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := field(v, path...).(string)
	return s
}

func num(v any, path ...any) float64 {
	f, _ := field(v, path...).(float64)
	return f
}

func list(v any, path ...any) []any {
	a, _ := field(v, path...).([]any)
	return a
}

// epochNear checks an epoch-seconds timestamp lies within [from-1s, to+1s].
func epochNear(tb testing.TB, what string, v any, from, to time.Time) {
	tb.Helper()
	f, ok := v.(float64)
	if !ok {
		tb.Errorf("%s = %v, want epoch seconds", what, v)
		return
	}
	t := time.Unix(0, int64(f*1e9))
	if t.Before(from.Add(-time.Second)) || t.After(to.Add(time.Second)) {
		tb.Errorf("%s = %v (%s), want between %s and %s", what, v, t.UTC(), from.UTC(), to.UTC())
	}
}
