package workplace

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// stamp is a pandas Timestamp: a wall-clock time, naive or with a UTC
// offset, or NaT.
type stamp struct {
	nat    bool
	wall   time.Time // in UTC, holding the wall-clock fields
	aware  bool
	offset int // seconds east of UTC, when aware
}

func (s stamp) instant() time.Time {
	if s.aware {
		return s.wall.Add(-time.Duration(s.offset) * time.Second)
	}
	return s.wall
}

// compare is s <op> o for <, <=, >=, >: NaT compares false, and a naive
// and an aware Timestamp cannot be compared.
func (s stamp) compare(o stamp) (int, bool, error) {
	if s.nat || o.nat {
		return 0, false, nil
	}
	if s.aware != o.aware {
		return 0, false, raise("Cannot compare tz-naive and tz-aware timestamps")
	}
	return s.instant().Compare(o.instant()), true, nil
}

// date is Timestamp.date(): the wall-clock date.
func (s stamp) date() (y int, m time.Month, d int) { return s.wall.Date() }

// toStamp is pd.Timestamp(v).
func toStamp(v any) (stamp, error) {
	switch x := v.(type) {
	case nil:
		return stamp{nat: true}, nil
	case string:
		return parseStamp(x)
	case int64:
		return stamp{wall: time.Unix(0, x).UTC()}, nil
	case float64:
		if x != x {
			return stamp{nat: true}, nil
		}
		return stamp{wall: time.Unix(0, int64(x)).UTC()}, nil
	}
	return stamp{}, raise("Cannot convert input [%s] of type <class '%s'> to Timestamp", pyStr(v), typeName(v))
}

func unknownFormat(s string) error {
	return raise("Unknown datetime string format, unable to parse: %s", s)
}

// parseStamp parses a string as pd.Timestamp does: ISO 8601 first (as
// numpy's parser reads it), then the common forms dateutil reads
// ("Nov 30, 2023", "30 November 2023 10:00", "11/30/2023 5pm").
func parseStamp(s string) (stamp, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "now":
		return stamp{wall: wallNow()}, nil
	case "today":
		return stamp{wall: wallNow()}, nil
	case "nat", "nan", "":
		return stamp{nat: true}, nil
	}
	if st, ok, err := parseISO(t, s); ok || err != nil {
		return st, err
	}
	if notDatelike(t) {
		return stamp{}, raise("Given date string \"%s\" not likely a datetime", s)
	}
	if timePattern.MatchString(t) {
		// A time first: dateutil fills the date in from today.
		y, m, d := wallNow().Date()
		return parseLooseDefault(t, s, y, int(m), d)
	}
	if st, ok, err := parseDelimited(t, s); ok || err != nil {
		return st, err
	}
	return parseLoose(t, s)
}

var timePattern = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])`)

// notDatelike is pandas' test that sends a string to dateutil: a number
// under 1000 (not starting with 0) or a lone a, m, p or t is no date.
func notDatelike(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	switch s {
	case "a", "A", "m", "M", "p", "P", "t", "T":
		return true
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f < 1000
}

// parseDelimited is pandas' _parse_delimited_date: MM/DD/YYYY and its
// shorter forms, day and month swapped when the month cannot be one.
func parseDelimited(t, orig string) (stamp, bool, error) {
	delim := func(i int) bool { return i < len(t) && strings.IndexByte(" /-\\.", t[i]) >= 0 }
	num := func(a, b int) int {
		n, err := strconv.Atoi(t[a:b])
		if err != nil || strings.ContainsAny(t[a:b], "+-") {
			return -1
		}
		return n
	}
	var month, day, year int
	switch {
	case len(t) == 10 && delim(2) && delim(5):
		month, day, year = num(0, 2), num(3, 5), num(6, 10)
	case len(t) == 9 && delim(1) && delim(4):
		month, day, year = num(0, 1), num(2, 4), num(5, 9)
	case len(t) == 9 && delim(2) && delim(4):
		month, day, year = num(0, 2), num(3, 4), num(5, 9)
	case len(t) == 8 && delim(1) && delim(3):
		month, day, year = num(0, 1), num(2, 3), num(4, 8)
	case len(t) == 7 && delim(2):
		month, day, year = num(0, 2), 1, num(3, 7)
	default:
		return stamp{}, false, nil
	}
	if month < 0 || day < 0 || year < 1000 {
		return stamp{}, false, nil
	}
	if 1 <= month && month <= 31 && 1 <= day && day <= 31 && (month <= 12 || day <= 12) {
		if month > 12 && len(t) != 7 {
			month, day = day, month
		}
		st, _, err := mkStamp(year, month, day, 0, 0, 0, 0, orig)
		return st, true, err
	}
	return stamp{}, true, raise("Invalid date specified (%d/%d)", month, day)
}

func wallNow() time.Time {
	n := time.Now()
	y, m, d := n.Date()
	return time.Date(y, m, d, n.Hour(), n.Minute(), n.Second(), n.Nanosecond(), time.UTC)
}

type scanner struct {
	s string
	i int
}

func (sc *scanner) digits(min, max int) (int, bool) {
	j := sc.i
	for j < len(sc.s) && j-sc.i < max && sc.s[j] >= '0' && sc.s[j] <= '9' {
		j++
	}
	if j-sc.i < min {
		return 0, false
	}
	n, _ := strconv.Atoi(sc.s[sc.i:j])
	sc.i = j
	return n, true
}

func (sc *scanner) eat(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

func (sc *scanner) done() bool { return sc.i == len(sc.s) }

// parseISO reads YYYY[-MM[-DD[(T| )HH[:MM[:SS[.f]]][Z|±HH[:MM]]]]], and
// YYYYMMDD; ok is false if s is not of that shape.
func parseISO(t, orig string) (stamp, bool, error) {
	sc := &scanner{s: t}
	year, ok := sc.digits(4, 4)
	if !ok {
		return stamp{}, false, nil
	}
	month, day := 1, 1
	if sc.done() {
		return mkStamp(year, month, day, 0, 0, 0, 0, orig)
	}
	var sep byte
	if c := sc.s[sc.i]; c == '-' || c == '/' || c == '.' || c == ' ' || c == '\\' {
		sep = c
		sc.i++
		if month, ok = sc.digits(1, 2); !ok {
			return stamp{}, false, nil
		}
		if sc.done() {
			return mkStamp(year, month, day, 0, 0, 0, 0, orig)
		}
		if !sc.eat(sep) {
			return stamp{}, false, nil
		}
		if day, ok = sc.digits(1, 2); !ok {
			return stamp{}, false, nil
		}
	} else {
		if month, ok = sc.digits(2, 2); !ok {
			return stamp{}, false, nil
		}
		if day, ok = sc.digits(2, 2); !ok {
			return stamp{}, false, nil
		}
	}
	if month > 12 && day <= 12 && sep != 0 {
		// numpy rejects the month; dateutil then reads it as the day.
		month, day = day, month
	}
	if sc.done() {
		return mkStamp(year, month, day, 0, 0, 0, 0, orig)
	}
	if !sc.eat('T') && !sc.eat(' ') {
		return stamp{}, false, nil
	}
	hour, ok := sc.digits(1, 2)
	if !ok {
		return stamp{}, false, nil
	}
	minute, sec, nsec := 0, 0, 0
	if sc.eat(':') {
		if minute, ok = sc.digits(2, 2); !ok {
			return stamp{}, false, nil
		}
		if sc.eat(':') {
			if sec, ok = sc.digits(2, 2); !ok {
				return stamp{}, false, nil
			}
			if sc.eat('.') {
				start := sc.i
				for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
					sc.i++
				}
				frac := sc.s[start:sc.i]
				if frac == "" {
					return stamp{}, false, nil
				}
				frac = (frac + "000000000")[:9]
				nsec, _ = strconv.Atoi(frac)
			}
		}
	}
	st, ok, err := mkStamp(year, month, day, hour, minute, sec, nsec, orig)
	if !ok || err != nil {
		return st, ok, err
	}
	for sc.i < len(sc.s) && sc.s[sc.i] == ' ' {
		sc.i++
	}
	if sc.done() {
		return st, true, nil
	}
	switch {
	case sc.eat('Z'):
		st.aware = true
	case sc.s[sc.i] == '+' || sc.s[sc.i] == '-':
		sign := 1
		if sc.s[sc.i] == '-' {
			sign = -1
		}
		sc.i++
		oh, ok := sc.digits(2, 2)
		if !ok {
			return stamp{}, false, nil
		}
		om := 0
		if sc.eat(':') || (!sc.done() && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9') {
			if om, ok = sc.digits(2, 2); !ok {
				return stamp{}, false, nil
			}
		}
		if oh > 23 || om > 59 {
			return stamp{}, false, nil
		}
		st.aware, st.offset = true, sign*(oh*3600+om*60)
	default:
		return stamp{}, false, nil
	}
	if !sc.done() {
		return stamp{}, false, nil
	}
	return st, true, nil
}

func mkStamp(year, month, day, hour, minute, sec, nsec int, orig string) (stamp, bool, error) {
	if month < 1 || month > 12 {
		return stamp{}, true, raise("month must be in 1..12: %s", orig)
	}
	if day < 1 || day > daysIn(year, time.Month(month)) {
		return stamp{}, true, raise("day is out of range for month: %s", orig)
	}
	if hour > 23 {
		return stamp{}, true, raise("hour must be in 0..23: %s", orig)
	}
	if minute > 59 {
		return stamp{}, true, raise("minute must be in 0..59: %s", orig)
	}
	if sec > 59 {
		return stamp{}, true, raise("second must be in 0..59: %s", orig)
	}
	return stamp{wall: time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)}, true, nil
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
	"sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
	"dec": 12, "december": 12,
}

var weekdayNames = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true, "wed": true, "wednesday": true,
	"thu": true, "thurs": true, "thursday": true, "fri": true, "friday": true, "sat": true, "saturday": true,
	"sun": true, "sunday": true,
}

// parseLoose reads the forms of dates dateutil reads most often: a month
// name or numbers separated by / . - or spaces, a time HH:MM[:SS] and
// am/pm. Missing parts default as pandas' dateutil default does (year 1,
// January, day 1, midnight).
func parseLoose(t, orig string) (stamp, error) { return parseLooseDefault(t, orig, 1, 1, 1) }

func parseLooseDefault(t, orig string, defYear, defMonth, defDay int) (stamp, error) {
	var nums []string
	month, hour, minute, sec := 0, -1, 0, 0
	pm, am := false, false
	fields := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
		return r == ' ' || r == ',' || r == '/' || r == '-' || r == '.'
	})
	for _, f := range fields {
		switch {
		case monthNames[f] != 0:
			if month != 0 {
				return stamp{}, unknownFormat(orig)
			}
			month = monthNames[f]
		case weekdayNames[f]:
		case f == "am" || f == "pm":
			am, pm = f == "am", f == "pm"
		case strings.Contains(f, ":"):
			if hour >= 0 {
				return stamp{}, unknownFormat(orig)
			}
			suffix := ""
			if strings.HasSuffix(f, "am") || strings.HasSuffix(f, "pm") {
				suffix, f = f[len(f)-2:], f[:len(f)-2]
			}
			parts := strings.Split(f, ":")
			if len(parts) > 3 {
				return stamp{}, unknownFormat(orig)
			}
			vals := make([]int, len(parts))
			for i, p := range parts {
				n, err := strconv.Atoi(p)
				if err != nil || n < 0 || len(p) > 2 {
					return stamp{}, unknownFormat(orig)
				}
				vals[i] = n
			}
			hour, minute = vals[0], vals[1]
			if len(vals) == 3 {
				sec = vals[2]
			}
			am, pm = suffix == "am", suffix == "pm"
		case strings.HasSuffix(f, "am") || strings.HasSuffix(f, "pm"):
			n, err := strconv.Atoi(f[:len(f)-2])
			if err != nil || hour >= 0 {
				return stamp{}, unknownFormat(orig)
			}
			hour = n
			am, pm = strings.HasSuffix(f, "am"), strings.HasSuffix(f, "pm")
		case strings.HasSuffix(f, "st") || strings.HasSuffix(f, "nd") || strings.HasSuffix(f, "rd") || strings.HasSuffix(f, "th"):
			if _, err := strconv.Atoi(f[:len(f)-2]); err != nil {
				return stamp{}, unknownFormat(orig)
			}
			nums = append(nums, f[:len(f)-2])
		default:
			if _, err := strconv.Atoi(f); err != nil {
				return stamp{}, unknownFormat(orig)
			}
			nums = append(nums, f)
		}
	}
	if len(nums) == 0 && month == 0 && hour < 0 {
		return stamp{}, unknownFormat(orig)
	}
	year, day := defYear, defDay
	if month == 0 {
		month = defMonth
	}
	switch {
	case len(nums) > 3 || (hasMonthName(fields) && len(nums) > 2):
		return stamp{}, unknownFormat(orig)
	case len(nums) == 0:
	case hasMonthName(fields):
		for _, n := range nums {
			v, _ := strconv.Atoi(n)
			if len(n) == 4 || v > 31 {
				year = v
			} else {
				day = v
			}
		}
	case len(nums) == 3:
		a, _ := strconv.Atoi(nums[0])
		b, _ := strconv.Atoi(nums[1])
		c, _ := strconv.Atoi(nums[2])
		if len(nums[0]) == 4 {
			year, month, day = a, b, c
		} else {
			month, day, year = a, b, c
			if month > 12 && day <= 12 {
				month, day = day, month
			}
			if len(nums[2]) <= 2 {
				year += 2000
			}
		}
	default:
		return stamp{}, unknownFormat(orig)
	}
	if month > 12 || day > 31 {
		return stamp{}, unknownFormat(orig)
	}
	if hour < 0 {
		hour = 0
	}
	if pm && hour < 12 {
		hour += 12
	}
	if am && hour == 12 {
		hour = 0
	}
	st, _, err := mkStamp(year, month, day, hour, minute, sec, 0, orig)
	return st, err
}

func hasMonthName(fields []string) bool {
	for _, f := range fields {
		if monthNames[f] != 0 {
			return true
		}
	}
	return false
}
