package schema

import (
	"fmt"
	"strings"
)

// csvFieldLimit is Python's csv.field_size_limit() default.
const csvFieldLimit = 131072

// ParseCSV parses s as NeMo Gym does, list(csv.DictReader(io.StringIO(s))):
// the first record names the fields; blank lines are skipped; a record
// with more fields than the header puts the surplus, as a list, under the
// key None (NonStringKey("None")), one with fewer gives the missing fields
// null. Records are read by Python's csv rules (the excel dialect, not
// strict): "" escapes a quote inside a quoted field, a quoted field may
// span lines, text after a closing quote is kept, and a lone carriage
// return inside an unquoted field is an error. Every value is a string.
func ParseCSV(s string) ([]any, error) { return parseCSV(s, nil) }

func parseCSV(s string, order ordering) ([]any, error) {
	r := csvReader{lines: splitLinesKeep(s)}
	header, ok, err := r.record()
	if err != nil {
		return nil, err
	}
	rows := []any{}
	if !ok {
		return rows, nil
	}
	for {
		rec, ok, err := r.record()
		if err != nil {
			return nil, err
		}
		if !ok {
			return rows, nil
		}
		if len(rec) == 0 {
			continue
		}
		row := make(map[string]any, len(header))
		for i, name := range header {
			if _, dup := row[name]; !dup {
				order.add(row, name)
			}
			if i < len(rec) {
				row[name] = rec[i]
			} else {
				row[name] = nil
			}
		}
		if len(rec) > len(header) {
			extra := make([]any, 0, len(rec)-len(header))
			for _, f := range rec[len(header):] {
				extra = append(extra, f)
			}
			order.add(row, NonStringKey("None"))
			row[NonStringKey("None")] = extra
		}
		rows = append(rows, row)
	}
}

// splitLinesKeep splits s after each "\n", as iterating an io.StringIO does.
func splitLinesKeep(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

type csvState int

const (
	startRecord csvState = iota
	startField
	inField
	inQuotedField
	quoteInQuotedField
	eatCRNL
)

type csvReader struct {
	lines []string
	next  int
}

// record reads the next record (CPython's Reader.__next__ of _csv.c);
// ok is false at the end of the input.
func (r *csvReader) record() (fields []string, ok bool, err error) {
	state := startRecord
	var field strings.Builder
	fields = []string{}
	save := func() {
		fields = append(fields, field.String())
		field.Reset()
	}
	add := func(c rune) error {
		if field.Len() >= csvFieldLimit {
			return &PyError{Name: "Error", Message: fmt.Sprintf("field larger than field limit (%d)", csvFieldLimit)}
		}
		field.WriteRune(c)
		return nil
	}
	const eol = -1
	started := false
	for {
		if r.next >= len(r.lines) {
			if field.Len() != 0 || state == inQuotedField {
				save()
				return fields, true, nil
			}
			if started {
				return fields, true, nil
			}
			return nil, false, nil
		}
		line := r.lines[r.next]
		r.next++
		started = true
		chars := []rune(line)
		for i := 0; i <= len(chars); i++ {
			c := rune(eol)
			if i < len(chars) {
				c = chars[i]
			}
			switch state {
			case startRecord:
				if c == eol {
					return fields, true, nil // a blank line: []
				}
				if c == '\n' || c == '\r' {
					state = eatCRNL
					continue
				}
				state = startField
				fallthrough
			case startField:
				switch {
				case c == '\n' || c == '\r' || c == eol:
					save()
					state = pick2(c == eol, startRecord, eatCRNL)
				case c == '"':
					state = inQuotedField
				case c == ',':
					save()
				default:
					if err := add(c); err != nil {
						return nil, false, err
					}
					state = inField
				}
			case inField:
				switch {
				case c == '\n' || c == '\r' || c == eol:
					save()
					state = pick2(c == eol, startRecord, eatCRNL)
				case c == ',':
					save()
					state = startField
				default:
					if err := add(c); err != nil {
						return nil, false, err
					}
				}
			case inQuotedField:
				switch {
				case c == eol:
				case c == '"':
					state = quoteInQuotedField
				default:
					if err := add(c); err != nil {
						return nil, false, err
					}
				}
			case quoteInQuotedField:
				switch {
				case c == '"':
					if err := add(c); err != nil {
						return nil, false, err
					}
					state = inQuotedField
				case c == ',':
					save()
					state = startField
				case c == '\n' || c == '\r' || c == eol:
					save()
					state = pick2(c == eol, startRecord, eatCRNL)
				default:
					if err := add(c); err != nil {
						return nil, false, err
					}
					state = inField
				}
			case eatCRNL:
				switch {
				case c == '\n' || c == '\r':
				case c == eol:
					state = startRecord
				default:
					return nil, false, &PyError{Name: "Error", Message: "new-line character seen in unquoted field - do you need to open the file with newline=''?"}
				}
			}
		}
		if state == startRecord {
			return fields, true, nil
		}
	}
}

func pick2(cond bool, a, b csvState) csvState {
	if cond {
		return a
	}
	return b
}
