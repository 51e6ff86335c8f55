package rollout

import (
	"fmt"
	"iter"
	"strings"
)

// InputIndex finds the dataset row a stored rollout was collected from, by
// the role and text of its input items. NeMo Gym's verify drops the task
// fields a server does not declare, so recorded rollouts may lack their
// ground truth; the index puts it back.
type InputIndex struct {
	rows map[string]Task
}

// IndexByInput reads a dataset into an InputIndex.
func IndexByInput(tasks iter.Seq2[Task, error]) (*InputIndex, error) {
	ix := &InputIndex{rows: map[string]Task{}}
	for t, err := range tasks {
		if err != nil {
			return nil, err
		}
		key, err := inputKey(t)
		if err != nil {
			return nil, err
		}
		ix.rows[key] = t
	}
	return ix, nil
}

// Complete returns t with every field of its dataset row that t lacks
// added; ok is false if no dataset row has t's input.
func (ix *InputIndex) Complete(t Task) (Task, bool, error) {
	key, err := inputKey(t)
	if err != nil {
		return t, false, err
	}
	src, ok := ix.rows[key]
	if !ok {
		return t, false, nil
	}
	out := Task{Object: t.Clone(), src: t.src, line: t.line}
	for _, f := range src.Fields() {
		if !out.Has(f.Name) {
			out.set(f.Name, f.Value)
		}
	}
	out.clip()
	return out, true, nil
}

func inputKey(t Task) (string, error) {
	p, err := t.Params()
	if err != nil {
		return "", err
	}
	items, err := p.Input()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "%s\x00%s\x00", it.Role(), it.Text())
	}
	return b.String(), nil
}
