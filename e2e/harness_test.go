package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sirdBin is the binary under test, built once by TestMain.
var sirdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sird-e2e-")
	if err != nil {
		panic(err)
	}
	sirdBin = filepath.Join(dir, "sird")
	build := exec.Command("go", "build", "-o", sirdBin, "../cmd/sird")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building sird:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running sird process.
type server struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	logs    *syncBuffer
	exited  chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs `sird serve` on a random loopback port with its own data
// dir (unless one is given in env as SIRD_DATA_DIR) and waits until healthy.
func startServer(tb testing.TB, env ...string) *server {
	tb.Helper()
	s, addr := spawn(tb, append([]string{"SIRD_DATA_DIR=" + tb.TempDir()}, env...))
	s.await(tb, addr, 20*time.Second, "sird")
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/_sird/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("sird never became healthy:\n%s", s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// spawn starts `sird serve` on a random loopback port with env added to this
// process's environment (the last SIRD_DATA_DIR in env is s.DataDir), to be
// stopped when tb ends. The address it serves on arrives on addr.
func spawn(tb testing.TB, env []string) (s *server, addr <-chan string) {
	tb.Helper()
	s = &server{logs: &syncBuffer{}, exited: make(chan struct{})}
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "SIRD_DATA_DIR="); ok {
			s.DataDir = v
		}
	}
	s.cmd = exec.Command(sirdBin, "serve", "--listen", "127.0.0.1:0")
	s.cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	s.cmd.Stderr = io.MultiWriter(pw, s.logs)
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("starting sird: %v", err)
	}
	go func() { s.cmd.Wait(); pw.Close(); close(s.exited) }()
	tb.Cleanup(func() { s.stop(tb) })

	serving := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line struct {
				Msg    string `json:"msg"`
				Listen string `json:"listen"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "sird is serving" {
				serving <- line.Listen
			}
		}
		io.Copy(io.Discard, pr)
	}()
	return s, serving
}

// await sets s.URL from the address spawn reported, failing tb (naming the
// process who) if s exits first or does not serve within limit.
func (s *server) await(tb testing.TB, addr <-chan string, limit time.Duration, who string) {
	tb.Helper()
	select {
	case a := <-addr:
		s.URL = "http://" + a
	case <-s.exited:
		tb.Fatalf("%s exited before serving:\n%s", who, s.logs)
	case <-time.After(limit):
		tb.Fatalf("%s did not start in time:\n%s", who, s.logs)
	}
}

// stop sends SIGTERM and expects a clean exit 0.
func (s *server) stop(tb testing.TB) {
	tb.Helper()
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		tb.Errorf("sird did not stop within 15s of SIGINT")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		tb.Errorf("sird exited with %d, want 0; logs:\n%s", code, s.logs)
	}
}

// awsCLI finds the AWS CLI; tests skip without it unless SIRD_REQUIRE_AWSCLI is set.
func awsCLI(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("SIRD_REQUIRE_AWSCLI") != "" {
			tb.Fatalf("SIRD_REQUIRE_AWSCLI is set but the aws CLI is not on PATH")
		}
		tb.Skip("aws CLI not installed")
	}
	return p
}

// cliResult is one AWS CLI invocation's outcome.
type cliResult struct {
	Out    map[string]any
	Stderr string
	Code   int
}

// aws runs `aws security-ir ARGS...` against s with the given credentials.
func (s *server) aws(tb testing.TB, creds [2]string, args ...string) cliResult {
	tb.Helper()
	bin := awsCLI(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append([]string{"--endpoint-url", s.URL, "--region", "us-east-1", "--output", "json", "security-ir"}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+creds[0], "AWS_SECRET_ACCESS_KEY="+creds[1],
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "AWS_PAGER=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{Stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.Code = ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("running aws: %v", err)
	}
	if b := bytes.TrimSpace(stdout.Bytes()); len(b) > 0 {
		if err := json.Unmarshal(b, &res.Out); err != nil {
			tb.Fatalf("aws output is not JSON: %v\n%s", err, b)
		}
	}
	return res
}

var devCreds = [2]string{"test", "test"}
