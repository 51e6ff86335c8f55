package gym

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/gymkit/gym/rollout"
)

// Source is one stream of rows in a Blend, usually one environment's
// dataset tagged with its agent (gym.Tag).
type Source struct {
	// Name names the source in batch statistics, progress and errors; ""
	// means the agent_ref.name of its first row, or "source<i>".
	Name string

	// Rows are the source's rows. They are read once, when the first row is
	// drawn, and kept in memory: each epoch is a fresh shuffle of them.
	Rows iter.Seq2[Task, error]

	// Weight is the source's relative share of every batch; 0 means 1.
	Weight float64
}

// DryPolicy says what a Blend does when a source runs out of rows.
type DryPolicy int

const (
	// Renormalize shares a dry source's quota among the sources left, in
	// proportion to their weights, and goes on until every source is dry.
	Renormalize DryPolicy = iota
	// StopWhenDry ends the blend when any source runs dry.
	StopWhenDry
)

// Blend is a weighted mixture of row sources: every batch of P rows holds
// each source's largest-remainder share of P, and over any number of
// batches the count of each source stays within one row of P·w·batches (w
// its normalized weight). Within a source, rows are drawn without
// replacement: each epoch is a shuffle of all its rows. The order depends
// only on Seed. The zero value of each field works: equal weights, seed 0,
// one epoch, renormalise when a source runs dry.
//
// The per-batch quotas are a proportionate-fair (PD²) schedule of the
// fractional parts of P·w, computed in exact rational arithmetic, which is
// what bounds the drift by one row for any weights; when the set of live
// sources changes (a source runs dry, an environment is paused), the
// schedule restarts with the new weights.
type Blend struct {
	Sources []Source
	Seed    uint64

	// Epochs is how many passes a source makes over its rows before it is
	// dry: 0 means 1, a negative number means endless.
	Epochs int

	// OnDry chooses what happens when a source runs dry (Renormalize by
	// default). Dry, if set, is told of each source as its last row is
	// drawn, from the goroutine that draws; it must not block.
	OnDry DryPolicy
	Dry   func(source string)
}

// ErrBadWeight is matched (errors.Is) by the error for a source whose
// weight is negative, NaN or infinite.
var ErrBadWeight = errors.New("gym: bad blend weight")

// Rows returns the blend as one stream of rows in blocks of perBatch rows
// (perBatch 0 means 1): each block holds every source's exact quota, its
// rows in a seeded random order. Feed it to Collector.Collect or
// CollectGroups; Batcher uses the same quotas per batch of groups. Invalid
// rows of a source (a *rollout.LineError) are passed on as they are read,
// for the Collector to report.
func (b *Blend) Rows(perBatch int) iter.Seq2[Task, error] {
	return func(yield func(Task, error) bool) {
		bl, err := newBlender(b)
		if err != nil {
			yield(Task{}, err)
			return
		}
		perBatch = max(perBatch, 1)
		for {
			picks, err := bl.batch(perBatch)
			if err != nil {
				yield(Task{}, err)
				return
			}
			for _, e := range bl.takeInvalid() {
				if !yield(Task{}, e) {
					return
				}
			}
			for _, p := range picks {
				if !yield(p.task, nil) {
					return
				}
			}
			if len(picks) < perBatch || bl.stopped {
				return
			}
		}
	}
}

// pick is one drawn row and the source it came from.
type pick struct {
	source int
	task   Task
}

// blender is a running Blend: the sources' rows and positions, the quota
// schedule and the random streams.
type blender struct {
	b       *Blend
	srcs    []*blendSource
	order   *rand.Rand // order of rows within a batch, and fills
	sched   *apportioner
	stopped bool // StopWhenDry and a source ran dry
	invalid []error
	dried   []string // sources dried since the last takeDried
}

type blendSource struct {
	name     string
	weight   float64
	rows     iter.Seq2[Task, error]
	loaded   bool
	tasks    []Task
	perm     []int
	pos      int
	epoch    int
	rng      *rand.Rand
	dry      bool
	reported bool // its running dry was reported (when its last row was drawn)
	paused   bool
}

func newBlender(b *Blend) (*blender, error) {
	bl := &blender{b: b, order: rand.New(rand.NewPCG(b.Seed, 0x9e3779b97f4a7c15))}
	if len(b.Sources) == 0 {
		return nil, errors.New("gym: the blend has no sources")
	}
	for i, s := range b.Sources {
		w := s.Weight
		if w == 0 {
			w = 1
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%w: source %d (%s) has weight %v; weights are relative shares >= 0", ErrBadWeight, i, s.Name, s.Weight)
		}
		if s.Rows == nil {
			return nil, fmt.Errorf("gym: blend source %d (%s) has no rows", i, s.Name)
		}
		bl.srcs = append(bl.srcs, &blendSource{name: s.Name, weight: w, rows: s.Rows,
			rng: rand.New(rand.NewPCG(b.Seed, uint64(i)+1))})
	}
	for i, s := range bl.srcs {
		if s.name == "" {
			s.name = "source" + strconv.Itoa(i)
		}
	}
	return bl, nil
}

// names returns the source names, loading every source so that names taken
// from the rows are known.
func (bl *blender) names() ([]string, error) {
	out := make([]string, len(bl.srcs))
	for i, s := range bl.srcs {
		if err := bl.load(i); err != nil {
			return nil, err
		}
		out[i] = s.name
	}
	return out, nil
}

// load reads source i into memory, once.
func (bl *blender) load(i int) error {
	s := bl.srcs[i]
	if s.loaded {
		return nil
	}
	s.loaded = true
	for t, err := range s.rows {
		if err != nil {
			var le *rollout.LineError
			if !errors.As(err, &le) {
				return fmt.Errorf("gym: blend source %s: %w", s.name, err)
			}
			bl.invalid = append(bl.invalid, err)
			continue
		}
		s.tasks = append(s.tasks, t)
	}
	if bl.b.Sources[i].Name == "" && len(s.tasks) > 0 {
		if n := s.tasks[0].AgentName(); n != "" {
			s.name = n
		}
	}
	s.perm = make([]int, len(s.tasks))
	for j := range s.perm {
		s.perm[j] = j
	}
	s.rng.Shuffle(len(s.perm), func(a, b int) { s.perm[a], s.perm[b] = s.perm[b], s.perm[a] })
	if len(s.tasks) == 0 {
		bl.dry(i)
	}
	return nil
}

func (bl *blender) takeInvalid() []error {
	e := bl.invalid
	bl.invalid = nil
	return e
}

func (bl *blender) takeDried() []string {
	d := bl.dried
	bl.dried = nil
	return d
}

func (bl *blender) dry(i int) {
	s := bl.srcs[i]
	if s.dry {
		return
	}
	s.dry = true
	bl.sched = nil // the live set changed: restart the schedule
	bl.report(i)
	if bl.b.OnDry == StopWhenDry {
		bl.stopped = true
	}
}

// report tells of source i running dry, once.
func (bl *blender) report(i int) {
	s := bl.srcs[i]
	if s.reported {
		return
	}
	s.reported = true
	bl.dried = append(bl.dried, s.name)
	if bl.b.Dry != nil {
		bl.b.Dry(s.name)
	}
}

// setPaused takes source i out of (or back into) the quotas.
func (bl *blender) setPaused(i int, paused bool) {
	if bl.srcs[i].paused != paused {
		bl.srcs[i].paused = paused
		bl.sched = nil
	}
}

func (bl *blender) live(i int) bool {
	s := bl.srcs[i]
	return !s.dry && !s.paused
}

// draw returns the next row of source i, or false if it is dry.
func (bl *blender) draw(i int) (Task, bool, error) {
	if err := bl.load(i); err != nil {
		return Task{}, false, err
	}
	s := bl.srcs[i]
	if s.dry || bl.stopped {
		return Task{}, false, nil
	}
	if s.pos == len(s.perm) {
		s.epoch++
		if bl.b.Epochs >= 0 && s.epoch >= max(bl.b.Epochs, 1) {
			bl.dry(i)
			return Task{}, false, nil
		}
		s.rng.Shuffle(len(s.perm), func(a, b int) { s.perm[a], s.perm[b] = s.perm[b], s.perm[a] })
		s.pos = 0
	}
	t := s.tasks[s.perm[s.pos]]
	s.pos++
	if s.pos == len(s.perm) && bl.b.Epochs >= 0 && s.epoch+1 >= max(bl.b.Epochs, 1) {
		bl.report(i) // its last row: say so now; it is dry from the next draw on
	}
	return t, true, nil
}

// quotas returns each source's share of the next batch of n rows.
func (bl *blender) quotas(n int) ([]int, error) {
	for i := range bl.srcs {
		if err := bl.load(i); err != nil {
			return nil, err
		}
	}
	if bl.sched == nil || bl.sched.n != n {
		w := make([]float64, len(bl.srcs))
		for i, s := range bl.srcs {
			if bl.live(i) {
				w[i] = s.weight
			}
		}
		bl.sched = newApportioner(w, n)
	}
	return bl.sched.next(), nil
}

// fill picks a live source for one row, at random in proportion to the
// weights (the seeded stream), or -1 if none is live.
func (bl *blender) fill(except int) int {
	total := 0.0
	for i, s := range bl.srcs {
		if bl.live(i) && i != except {
			total += s.weight
		}
	}
	if total == 0 {
		return -1
	}
	x := bl.order.Float64() * total
	last := -1
	for i, s := range bl.srcs {
		if !bl.live(i) || i == except {
			continue
		}
		last = i
		if x < s.weight {
			return i
		}
		x -= s.weight
	}
	return last
}

// drawFrom draws a row of source i; if it is dry, of another live source
// (Renormalize), and returns the source it came from, or -1 when none has
// rows left (or the blend stopped).
func (bl *blender) drawFrom(i int) (pick, int, error) {
	for !bl.stopped {
		t, ok, err := bl.draw(i)
		if err != nil {
			return pick{}, -1, err
		}
		if ok {
			return pick{source: i, task: t}, i, nil
		}
		if i = bl.fill(-1); i < 0 {
			return pick{}, -1, nil
		}
	}
	return pick{}, -1, nil
}

// batch draws the rows of the next batch of n rows, in a seeded random
// order; fewer than n when the blend ends.
func (bl *blender) batch(n int) ([]pick, error) {
	q, err := bl.quotas(n)
	if err != nil {
		return nil, err
	}
	picks := make([]pick, 0, n)
	for i, k := range q {
		for range k {
			p, src, err := bl.drawFrom(i)
			if err != nil {
				return nil, err
			}
			if src < 0 {
				break
			}
			picks = append(picks, p)
		}
	}
	for len(picks) < n && !bl.stopped {
		i := bl.fill(-1)
		if i < 0 {
			break
		}
		p, src, err := bl.drawFrom(i)
		if err != nil {
			return nil, err
		}
		if src < 0 {
			break
		}
		picks = append(picks, p)
	}
	if bl.stopped {
		return picks[:0], nil
	}
	bl.order.Shuffle(len(picks), func(a, b int) { picks[a], picks[b] = picks[b], picks[a] })
	return picks, nil
}

// apportioner schedules the per-batch quotas of sources with fixed weights
// w (normalized) for batches of n: each source gets floor(n·w) rows, and the
// fractional parts — which sum to a whole number R of rows per batch — are
// scheduled as R processors shared by tasks of weight frac(n·w) with the
// PD² Pfair algorithm (Anderson and Srinivasan), which keeps every task's
// lag strictly within one unit: the cumulative count of each source never
// strays a row from its target. Weights are exact rationals (a float64 is
// one), so the bound holds exactly.
type apportioner struct {
	n     int
	floor []int
	extra int        // R
	num   []*big.Int // frac(n·w_i) = num_i / den
	den   *big.Int
	got   []int64 // extras given to each source so far
	t     int64   // batches scheduled
	next_ []int   // the quota buffer handed out
}

func newApportioner(w []float64, n int) *apportioner {
	a := &apportioner{n: n, floor: make([]int, len(w)), num: make([]*big.Int, len(w)), got: make([]int64, len(w)), next_: make([]int, len(w))}
	// Exact rationals: w_i = m_i·2^e_i; scale all to integers over one denominator.
	rats := make([]*big.Rat, len(w))
	sum := new(big.Rat)
	for i, x := range w {
		rats[i] = new(big.Rat)
		if x > 0 {
			rats[i].SetFloat64(x)
		}
		sum.Add(sum, rats[i])
	}
	if sum.Sign() == 0 {
		a.den = big.NewInt(1)
		for i := range a.num {
			a.num[i] = new(big.Int)
		}
		return a
	}
	// n·w_i/sum = n·r_i/sum; put everything over the common denominator.
	den := big.NewInt(1)
	for _, r := range rats {
		den.Mul(den, r.Denom()) // a common multiple (not the least: fine)
	}
	ints := make([]*big.Int, len(w))
	total := new(big.Int)
	for i, r := range rats {
		v := new(big.Int).Mul(r.Num(), den)
		v.Quo(v, r.Denom())
		ints[i] = v
		total.Add(total, v)
	}
	a.den = total
	R := n
	for i, v := range ints {
		x := new(big.Int).Mul(v, big.NewInt(int64(n)))
		q, m := new(big.Int).QuoRem(x, total, new(big.Int))
		a.floor[i] = int(q.Int64())
		a.num[i] = m
		R -= a.floor[i]
	}
	a.extra = R
	return a
}

// pd2 is a subtask's PD² priority: earlier deadline first, then b-bit 1
// before 0, then the later group deadline.
type pd2 struct{ deadline, bbit, group int64 }

func (a *apportioner) priority(i int) (release int64, p pd2) {
	num, den := a.num[i], a.den
	j := big.NewInt(a.got[i] + 1)
	// release = floor((j-1)·den/num), deadline = ceil(j·den/num)
	rel := new(big.Int).Mul(new(big.Int).Sub(j, big.NewInt(1)), den)
	rel.Quo(rel, num)
	jd := new(big.Int).Mul(j, den)
	fl, rem := new(big.Int).QuoRem(jd, num, new(big.Int))
	d := new(big.Int).Set(fl)
	if rem.Sign() != 0 {
		d.Add(d, big.NewInt(1))
	}
	p.deadline = d.Int64()
	// b-bit: 1 when the window of subtask j overlaps that of j+1,
	// ceil(j/wt) - floor(j/wt).
	if rem.Sign() != 0 {
		p.bbit = 1
	}
	// Group deadline of heavy tasks (wt >= 1/2):
	// ceil(ceil(d·(1-wt)) / (1-wt)) with 1-wt = (den-num)/den.
	if new(big.Int).Lsh(num, 1).Cmp(den) >= 0 {
		comp := new(big.Int).Sub(den, num)
		g := new(big.Int).Mul(d, comp)
		g = ceilDiv(g, den)
		g.Mul(g, den)
		g = ceilDiv(g, comp)
		p.group = g.Int64()
	}
	return rel.Int64(), p
}

func ceilDiv(x, y *big.Int) *big.Int {
	q, m := new(big.Int).QuoRem(x, y, new(big.Int))
	if m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// next returns the quotas of the next batch.
func (a *apportioner) next() []int {
	copy(a.next_, a.floor)
	if a.extra > 0 {
		type cand struct {
			i int
			p pd2
		}
		var cs []cand
		for i, num := range a.num {
			if num.Sign() == 0 {
				continue
			}
			rel, p := a.priority(i)
			if rel <= a.t {
				cs = append(cs, cand{i, p})
			}
		}
		slices.SortStableFunc(cs, func(x, y cand) int {
			switch {
			case x.p.deadline != y.p.deadline:
				return cmpInt(x.p.deadline, y.p.deadline)
			case x.p.bbit != y.p.bbit:
				return cmpInt(y.p.bbit, x.p.bbit)
			default:
				return cmpInt(y.p.group, x.p.group)
			}
		})
		for _, c := range cs[:min(a.extra, len(cs))] {
			a.next_[c.i]++
			a.got[c.i]++
		}
	}
	a.t++
	return a.next_
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
