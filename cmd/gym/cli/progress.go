package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gymkit/gym"
)

// progress reports a collection on stderr: done / total, rollouts/s, ETA and
// the running mean reward per agent; a bar redrawn in place on a terminal,
// a plain line every few seconds otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	total int
	start time.Time

	mu      sync.Mutex
	done    int
	failed  int
	rewards map[string]*[2]float64 // agent → sum, count
	drawn   bool

	quit chan struct{}
	wg   sync.WaitGroup
}

func newProgress(w io.Writer, total int, tty bool) *progress {
	p := &progress{w: w, tty: tty, total: total, start: time.Now(), rewards: map[string]*[2]float64{}, quit: make(chan struct{})}
	every := 10 * time.Second
	if tty {
		every = 200 * time.Millisecond
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw(false)
			case <-p.quit:
				return
			}
		}
	}()
	return p
}

func (p *progress) add(r *gym.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if r.Err != nil {
		p.failed++
		return
	}
	s := p.rewards[r.Agent]
	if s == nil {
		s = new([2]float64)
		p.rewards[r.Agent] = s
	}
	s[0] += r.Reward
	s[1]++
}

// printf prints a message line without breaking the bar.
func (p *progress) printf(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format, a...)
	p.drawn = false
}

func (p *progress) stop() {
	close(p.quit)
	p.wg.Wait()
	p.draw(true)
}

func (p *progress) draw(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.start)
	rate := float64(p.done) / max(elapsed.Seconds(), 1e-9)
	var b strings.Builder
	if p.tty {
		b.WriteString("\r\033[K")
		const width = 24
		filled := 0
		if p.total > 0 {
			filled = min(width, p.done*width/p.total)
		}
		b.WriteString("[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "] ")
	}
	fmt.Fprintf(&b, "%d/%d rollouts  %.1f/s", p.done, p.total, rate)
	if !final && rate > 0 && p.total > p.done {
		eta := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
		fmt.Fprintf(&b, "  ETA %s", eta.Round(time.Second))
	}
	if final {
		fmt.Fprintf(&b, "  in %s", elapsed.Round(time.Millisecond))
	}
	names := make([]string, 0, len(p.rewards))
	for n := range p.rewards {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := p.rewards[n]
		fmt.Fprintf(&b, "  %s %.3f", n, s[0]/s[1])
	}
	if p.failed > 0 {
		fmt.Fprintf(&b, "  %d failed", p.failed)
	}
	if !p.tty || final {
		b.WriteString("\n")
	}
	fmt.Fprint(p.w, b.String())
	p.drawn = p.tty && !final
}
