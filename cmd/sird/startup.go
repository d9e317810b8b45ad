package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// measureStartup starts `sird serve` (this executable) n times on dataDir
// (a fresh temporary directory when empty, created by the first start) and
// reports, for each start, the time from exec to the first 200 from
// /_sird/health, and the resident memory after a second of idling (Linux).
func measureStartup(ctx context.Context, n int, dataDir string, w io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "sird-startup-"); err != nil {
			return err
		}
		defer os.RemoveAll(dataDir)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var starts []time.Duration
	var rss []int64
	for i := range n {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, self, "serve", "--data-dir", dataDir, "--listen", addr, "--log-level", "warn")
		cmd.Stderr = os.Stderr
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		_, err = waitHealthy(ctx, client, "http://"+addr+"/_sird/health", 10*time.Second)
		took := time.Since(t0)
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return err
		}
		time.Sleep(time.Second)
		kb := residentKB(cmd.Process.Pid)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		starts = append(starts, took)
		rss = append(rss, kb)
		fmt.Fprintf(w, "start %d: healthy after %.1f ms, idle RSS %.1f MiB\n", i+1, ms(took), float64(kb)/1024)
	}
	slices.Sort(starts)
	slices.Sort(rss)
	fmt.Fprintf(w, "median of %d: cold start %.1f ms, idle RSS %.1f MiB (first start on a new data dir creates the database)\n",
		n, ms(starts[len(starts)/2]), float64(rss[len(rss)/2])/1024)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitHealthy polls url until it answers 200, every 200 µs.
func waitHealthy(ctx context.Context, c *http.Client, url string, limit time.Duration) (time.Duration, error) {
	t0 := time.Now()
	for time.Since(t0) < limit {
		if resp, err := c.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(200 * time.Microsecond):
		}
	}
	return 0, errors.New("the server did not become healthy within " + limit.String())
}

// residentKB is VmRSS of a process, in KiB; 0 where /proc is missing.
func residentKB(pid int) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// rssSampler records the RSS of pid every interval until stopped.
type rssSampler struct {
	pid      int
	interval time.Duration
	stop     chan struct{}
	wg       sync.WaitGroup
	t0       time.Time
	at       []time.Duration
	kb       []int64
}

func startRSSSampler(pid int, interval time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, interval: interval, stop: make(chan struct{}), t0: time.Now()}
	s.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.at = append(s.at, time.Since(s.t0))
			s.kb = append(s.kb, residentKB(pid))
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	})
	return s
}

// report stops sampling and prints the samples and their spread after
// warm (the warm-up and the first minute, when caches fill).
func (s *rssSampler) report(w io.Writer, warm time.Duration) {
	close(s.stop)
	s.wg.Wait()
	s.at = append(s.at, time.Since(s.t0))
	s.kb = append(s.kb, residentKB(s.pid))
	fmt.Fprintf(w, "\nRSS of pid %d every %v (MiB):", s.pid, s.interval)
	for i, kb := range s.kb {
		if i%12 == 0 {
			fmt.Fprintf(w, "\n  %4.0fs", s.at[i].Seconds())
		}
		fmt.Fprintf(w, " %5.1f", float64(kb)/1024)
	}
	fmt.Fprintln(w)
	var lo, hi int64
	for i, kb := range s.kb {
		if s.at[i] < warm || kb == 0 {
			continue
		}
		if lo == 0 || kb < lo {
			lo = kb
		}
		hi = max(hi, kb)
	}
	if lo > 0 {
		fmt.Fprintf(w, "RSS after %v: min %.1f MiB, max %.1f MiB, spread %.1f%% of min\n",
			warm, float64(lo)/1024, float64(hi)/1024, 100*float64(hi-lo)/float64(lo))
	}
}
