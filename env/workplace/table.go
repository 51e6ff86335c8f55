package workplace

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
)

// table is a pandas DataFrame of object columns: its column names, its row
// labels (the index, which DataFrame.equals compares) and its rows.
//
// Tables are values that are never changed in place: an operation that
// changes one returns a new table sharing every row it did not change. A
// session starts with the environment's initial tables and replaces them
// as its tools change them, so seeding a session copies nothing, and two
// tables that share a row need not compare it.
type table struct {
	cols  []string
	index []int64
	rows  [][]any
}

func (t *table) col(name string) int {
	return slices.Index(t.cols, name)
}

func (t *table) len() int { return len(t.rows) }

// record is one row as to_dict(orient="records") gives it.
func (t *table) record(i int) *dict {
	return &dict{keys: t.cols, vals: t.rows[i]}
}

// records is to_dict(orient="records").
func (t *table) records() []any {
	out := make([]any, len(t.rows))
	for i := range t.rows {
		out[i] = t.record(i)
	}
	return out
}

// filter is df[mask] for a boolean mask: the rows (and labels) kept.
func (t *table) filter(keep func(i int) bool) *table {
	kept := make([]int, 0, len(t.rows))
	for i := range t.rows {
		if keep(i) {
			kept = append(kept, i)
		}
	}
	n := &table{cols: t.cols, index: make([]int64, len(kept)), rows: make([][]any, len(kept))}
	for j, i := range kept {
		n.index[j], n.rows[j] = t.index[i], t.rows[i]
	}
	return n
}

// appendRow is pd.concat([df, one_row_frame]): with ignoreIndex the labels
// become 0..n, otherwise the new row keeps its own frame's label 0. values
// are in the order of names, which may differ from the table's columns
// (concat aligns them by name).
func (t *table) appendRow(names []string, values []any, ignoreIndex bool) *table {
	cols := t.cols
	for _, name := range names {
		if !slices.Contains(cols, name) {
			cols = append(slices.Clip(cols), name) // concat adds the new frame's columns
		}
	}
	n := &table{cols: cols}
	if len(cols) == len(t.cols) {
		n.rows = slices.Clip(t.rows)
	} else {
		n.rows = make([][]any, len(t.rows))
		for i, r := range t.rows {
			w := append(slices.Clone(r), make([]any, len(cols)-len(r))...)
			for j := len(r); j < len(w); j++ {
				w[j] = nan
			}
			n.rows[i] = w
		}
	}
	row := make([]any, len(cols))
	for i, c := range cols {
		row[i] = nan
		if j := slices.Index(names, c); j >= 0 {
			row[i] = values[j]
		}
	}
	n.rows = append(n.rows, row)
	if ignoreIndex {
		n.index = rangeIndex(len(n.rows))
	} else {
		n.index = append(slices.Clip(t.index), 0)
	}
	return n
}

// setWhere is df.loc[mask, column] = value.
func (t *table) setWhere(col int, match func(i int) bool, value any) *table {
	n := &table{cols: t.cols, index: t.index, rows: slices.Clone(t.rows)}
	for i, r := range n.rows {
		if match(i) {
			r = slices.Clone(r)
			r[col] = value
			n.rows[i] = r
		}
	}
	return n
}

// setMasked is df.loc[mask, column] = value, as numpy assigns into the
// frame's object block: a list is spread over the selected rows, and must
// have as many elements.
func (t *table) setMasked(col int, m mask, value any) (*table, error) {
	l, isList := value.([]any)
	if !isList {
		return t.setWhere(col, func(i int) bool { return m.keep[i] }, value), nil
	}
	var rows []int
	for i, k := range m.keep {
		if k {
			rows = append(rows, i)
		}
	}
	if len(l) != len(rows) && len(l) != 1 {
		return nil, raise("shape mismatch: value array of shape (%d,) could not be broadcast to indexing result of shape (%d,)", len(l), len(rows))
	}
	n := &table{cols: t.cols, index: t.index, rows: slices.Clone(t.rows)}
	for k, i := range rows {
		r := slices.Clone(n.rows[i])
		r[col] = l[min(k, len(l)-1)]
		n.rows[i] = r
	}
	return n, nil
}

// mapColumn returns the table with column col replaced by f of each cell.
func (t *table) mapColumn(col int, f func(any) any) *table {
	n := &table{cols: t.cols, index: t.index, rows: make([][]any, len(t.rows))}
	for i, r := range t.rows {
		r = slices.Clone(r)
		r[col] = f(r[col])
		n.rows[i] = r
	}
	return n
}

func rangeIndex(n int) []int64 {
	idx := make([]int64, n)
	for i := range idx {
		idx[i] = int64(i)
	}
	return idx
}

// defaultNA are the strings pandas' read_csv reads as NaN by default.
var defaultNA = map[string]bool{
	"": true, "#N/A": true, "#N/A N/A": true, "#NA": true, "-1.#IND": true, "-1.#QNAN": true,
	"-NaN": true, "-nan": true, "1.#IND": true, "1.#QNAN": true, "<NA>": true, "N/A": true,
	"NA": true, "NULL": true, "NaN": true, "None": true, "n/a": true, "nan": true, "null": true,
}

// readCSV is pd.read_csv(path, dtype=str): a header line, then rows of
// strings, with pandas' default missing-value spellings read as NaN.
func readCSV(data []byte, name string) (*table, error) {
	r := csv.NewReader(bytes.NewReader(data))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("workplace: %s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("workplace: %s: no header", name)
	}
	t := &table{cols: recs[0], index: rangeIndex(len(recs) - 1)}
	for line, rec := range recs[1:] {
		if len(rec) != len(t.cols) {
			return nil, fmt.Errorf("workplace: %s line %d: %d fields, want %d", name, line+2, len(rec), len(t.cols))
		}
		row := make([]any, len(rec))
		for i, s := range rec {
			if defaultNA[s] {
				row[i] = nan
			} else {
				row[i] = s
			}
		}
		t.rows = append(t.rows, row)
	}
	return t, nil
}

// cellsEqual is how DataFrame.equals compares two cells of object columns
// after NeMo Gym's verifier lower-cased them: Python equality, and a
// missing value (None or NaN) equals a missing value.
func cellsEqual(a, b any) bool {
	return pyEq(a, b) || (isNA(a) && isNA(b))
}

// lowerCell is one cell of Series.str.lower(): a str is lower-cased, a
// missing value stays as it is, anything else becomes NaN.
func lowerCell(v any) any {
	switch x := v.(type) {
	case string:
		return lower(x)
	case nil:
		return nil
	case float64:
		if x != x {
			return x
		}
	}
	return nan
}

// equalLowered reports whether two tables are equal as NeMo Gym's verifier
// compares them: both lower-cased except in the columns keep, then
// DataFrame.equals (same columns, same row labels, equal cells). Rows the
// two tables share are equal without looking at them.
func equalLowered(a, b *table, keep []string) bool {
	if a == b {
		return true
	}
	if !slices.Equal(a.cols, b.cols) || len(a.rows) != len(b.rows) || !slices.Equal(a.index, b.index) {
		return false
	}
	lowered := make([]bool, len(a.cols))
	for i, c := range a.cols {
		lowered[i] = !slices.Contains(keep, c)
	}
	for i, ra := range a.rows {
		rb := b.rows[i]
		if len(ra) > 0 && len(rb) > 0 && &ra[0] == &rb[0] {
			continue
		}
		for j := range ra {
			x, y := ra[j], rb[j]
			if lowered[j] {
				x, y = lowerCell(x), lowerCell(y)
			}
			if !cellsEqual(x, y) {
				return false
			}
		}
	}
	return true
}
