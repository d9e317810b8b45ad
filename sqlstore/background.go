package sqlstore

import "sync"

// background is the goroutine of a store component (the WAL syncer, the
// checkpointer) that starts at the component's first use, so an idle or
// read-only store runs none, and stops when the component closes. started
// and closed are guarded by the owning component's mutex.
type background struct {
	stop    chan struct{} // closed by shutdown: the goroutine returns
	done    chan struct{} // closed by the goroutine as it returns
	started bool
	closed  bool
}

func newBackground() background {
	return background{stop: make(chan struct{}), done: make(chan struct{})}
}

// startLocked runs run on a goroutine of its own unless one was started or
// the component is closed. The caller holds the component's mutex.
func (b *background) startLocked(run func()) {
	if !b.started && !b.closed {
		b.started = true
		go run()
	}
}

// shutdown marks the component closed, stops its goroutine and waits for
// it. It reports false if the component was closed already.
func (b *background) shutdown(mu *sync.Mutex) bool {
	mu.Lock()
	if b.closed {
		mu.Unlock()
		return false
	}
	b.closed = true
	started := b.started
	mu.Unlock()
	close(b.stop)
	if started {
		<-b.done
	}
	return true
}
