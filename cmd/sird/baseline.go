package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// baselineAnnounce starts the line `bench --serve-baseline` writes to
// stderr once it listens; the address follows it.
const baselineAnnounce = "baseline handler on "

// startBaselineProcess serves the trivial handler from a child process of
// this executable (`sird bench --serve-baseline 127.0.0.1:0`) and returns
// its address, and a function that stops it. In a process of its own the
// handler is measured the way sird is: a separate Go runtime answering
// this client over loopback, each request crossing between two processes.
// Served from the client's own process, requests pass between goroutines
// of one runtime instead, and the same machine answers 15-25% more of
// them than any server in a process of its own can.
func startBaselineProcess(ctx context.Context) (addr string, stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, self, "bench", "--serve-baseline", "127.0.0.1:0")
	out, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), baselineAnnounce); ok {
				found <- a
				break
			}
			fmt.Fprintln(os.Stderr, sc.Text())
		}
		close(found)
		_, _ = io.Copy(io.Discard, out) // Wait needs the pipe drained
	}()
	select {
	case a, ok := <-found:
		if ok {
			return a, stop, nil
		}
		err = fmt.Errorf("baseline process exited before it listened")
	case <-time.After(10 * time.Second):
		err = fmt.Errorf("baseline process did not listen within 10s")
	case <-ctx.Done():
		err = ctx.Err()
	}
	cmd.Process.Kill()
	cmd.Wait()
	return "", nil, err
}
