package pgtest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy forwards a loopback port to the server of a DSN, and can cut it, so
// a test can take the database away without stopping the shared server:
// Down refuses new connections and resets every open one, Blackhole accepts
// connections and never answers (a hung network), Up forwards again on the
// same port.
type Proxy struct {
	dsn, target, addr string

	mu        sync.Mutex
	ln        net.Listener
	conns     map[net.Conn]bool
	blackhole bool
}

// NewProxy starts a proxy in front of the server dsn connects to. It is
// taken down when tb ends.
func NewProxy(tb testing.TB, dsn string) *Proxy {
	tb.Helper()
	p := &Proxy{target: hostPort(tb, dsn), conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.addr, p.ln = ln.Addr().String(), ln
	p.dsn = via(tb, dsn, p.addr)
	go p.serve(ln)
	tb.Cleanup(p.Down)
	return p
}

// DSN is the proxied DSN: the same database, connected to through p.
func (p *Proxy) DSN() string { return p.dsn }

func (p *Proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.ln != ln {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns[c] = true
		hole := p.blackhole
		p.mu.Unlock()
		if !hole {
			go p.pipe(c)
		}
	}
}

func (p *Proxy) pipe(c net.Conn) {
	u, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.conns[c] {
		p.conns[u] = true
	} else { // closed by Down meanwhile
		u.Close()
	}
	p.mu.Unlock()
	go func() { io.Copy(u, c); u.Close() }()
	io.Copy(c, u)
	c.Close()
}

// Down stops listening and cuts every connection.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Up cuts every connection and forwards again on the same port.
func (p *Proxy) Up(tb testing.TB) { p.listen(tb, false) }

// Blackhole cuts every connection and then accepts new ones on the same
// port without ever answering.
func (p *Proxy) Blackhole(tb testing.TB) { p.listen(tb, true) }

func (p *Proxy) listen(tb testing.TB, hole bool) {
	tb.Helper()
	p.Down()
	var ln net.Listener
	var err error
	for range 50 { // the port was ours a moment ago
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.blackhole = ln, hole
	p.mu.Unlock()
	go p.serve(ln)
}
