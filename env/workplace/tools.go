package workplace

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gymkit/gym/internal/pyrepr"
	"github.com/gymkit/gym/internal/pyslice"
)

// state is one session's workplace: the tables of NeMo Gym's five toolkits
// and the company directory.
type state struct {
	emails    *table // email_id, inbox/outbox, sender/recipient, subject, sent_datetime, body
	calendar  *table // event_id, event_name, participant_email, event_start, duration
	analytics *table // date_of_visit, visitor_id, page_views, session_duration_seconds, traffic_source, user_engaged
	plots     *table // file_path
	tasks     *table // task_id, task_name, assigned_to_email, list_name, due_date, board
	crm       *table // customer_id, assigned_to_email, customer_name, customer_email, customer_phone, last_contact_date, product_interest, status, follow_up_by, notes
	directory *table // email_address
}

// param is a keyword parameter of a tool's Python function and its default.
type param struct {
	name string
	def  any
}

// method is a tool: the Python method NeMo Gym's server calls with the
// model's arguments as keyword arguments.
type method struct {
	class, fn string
	params    []param
	call      func(st *state, a []any) (any, error)
}

// bind is Python's call of the method with args as keyword arguments.
func (m *method) bind(args *dict) ([]any, error) {
	a := make([]any, len(m.params))
	for i, p := range m.params {
		a[i] = p.def
	}
	for i, k := range args.keys {
		if k == "self" {
			return nil, raise("%s.%s() got multiple values for argument 'self'", m.class, m.fn)
		}
		j := slices.IndexFunc(m.params, func(p param) bool { return p.name == k })
		if j < 0 {
			return nil, raise("%s.%s() got an unexpected keyword argument '%s'", m.class, m.fn, k)
		}
		a[j] = args.vals[i]
	}
	return a, nil
}

func p(name string) param { return param{name: name} }

func pd(name string, def any) param { return param{name: name, def: def} }

var hardcodedNow = "2023-11-30 23:59:00" // str(HARDCODED_CURRENT_TIME)

// methods are the tools by name, in NeMo Gym's order.
var methods = map[string]*method{}

var methodOrder []string

func def(tool, class, fn string, params []param, call func(st *state, a []any) (any, error)) {
	methods[tool] = &method{class: class, fn: fn, params: params, call: call}
	methodOrder = append(methodOrder, tool)
}

func init() {
	const (
		dir = "CompanyDirectoryTool"
		em  = "EmailTool"
		cal = "CalendarTool"
		an  = "AnalyticsTool"
		pm  = "ProjectManagementTool"
		crm = "CustomerRelationshipManagerTool"
	)
	def("company_directory_find_email_address", dir, "find_email_address", []param{pd("name", "")}, findEmailAddress)

	def("email_get_email_information_by_id", em, "get_email_information_by_id", []param{p("email_id"), p("field")}, getEmailInformation)
	def("email_search_emails", em, "search_emails", []param{pd("query", ""), p("date_min"), p("date_max"), pd("page", int64(1)), pd("page_size", int64(5))}, searchEmails)
	def("email_send_email", em, "send_email", []param{p("recipient"), p("subject"), p("body")}, func(st *state, a []any) (any, error) {
		return sendEmail(st, a[0], a[1], a[2])
	})
	def("email_delete_email", em, "delete_email", []param{p("email_id")}, deleteEmail)
	def("email_forward_email", em, "forward_email", []param{p("email_id"), p("recipient")}, forwardEmail)
	def("email_reply_email", em, "reply_email", []param{p("email_id"), p("body")}, replyEmail)

	def("calendar_get_event_information_by_id", cal, "get_event_information_by_id", []param{p("event_id"), p("field")}, getEventInformation)
	def("calendar_search_events", cal, "search_events", []param{pd("query", ""), p("time_min"), p("time_max"), pd("page", int64(1)), pd("page_size", int64(5))}, searchEvents)
	def("calendar_create_event", cal, "create_event", []param{p("event_name"), p("participant_email"), p("event_start"), p("duration")}, createEvent)
	def("calendar_delete_event", cal, "delete_event", []param{p("event_id")}, deleteEvent)
	def("calendar_update_event", cal, "update_event", []param{p("event_id"), p("field"), p("new_value")}, updateEvent)

	def("analytics_get_visitor_information_by_id", an, "get_visitor_information_by_id", []param{p("visitor_id")}, getVisitorInformation)
	def("analytics_create_plot", an, "create_plot", []param{p("time_min"), p("time_max"), p("value_to_plot"), p("plot_type")}, createPlot)
	def("analytics_total_visits_count", an, "total_visits_count", []param{p("time_min"), p("time_max")}, totalVisitsCount)
	def("analytics_engaged_users_count", an, "engaged_users_count", []param{p("time_min"), p("time_max")}, engagedUsersCount)
	def("analytics_traffic_source_count", an, "traffic_source_count", []param{p("time_min"), p("time_max"), p("traffic_source")}, trafficSourceCount)
	def("analytics_get_average_session_duration", an, "get_average_session_duration", []param{p("time_min"), p("time_max")}, averageSessionDuration)

	def("project_management_get_task_information_by_id", pm, "get_task_information_by_id", []param{p("task_id"), p("field")}, getTaskInformation)
	def("project_management_search_tasks", pm, "search_tasks", []param{p("task_name"), p("assigned_to_email"), p("list_name"), p("due_date"), p("board")}, searchTasks)
	def("project_management_create_task", pm, "create_task", []param{p("task_name"), p("assigned_to_email"), p("list_name"), p("due_date"), p("board")}, createTask)
	def("project_management_delete_task", pm, "delete_task", []param{p("task_id")}, deleteTask)
	def("project_management_update_task", pm, "update_task", []param{p("task_id"), p("field"), p("new_value")}, updateTask)

	def("customer_relationship_manager_search_customers", crm, "search_customers", []param{
		p("customer_name"), p("customer_email"), p("product_interest"), p("status"), p("assigned_to_email"),
		p("last_contact_date_min"), p("last_contact_date_max"), p("follow_up_by_min"), p("follow_up_by_max"),
		pd("page", int64(1)), pd("page_size", int64(5)),
	}, searchCustomers)
	def("customer_relationship_manager_update_customer", crm, "update_customer", []param{p("customer_id"), p("field"), p("new_value")}, updateCustomer)
	def("customer_relationship_manager_add_customer", crm, "add_customer", []param{
		p("customer_name"), p("assigned_to_email"), p("status"), p("customer_email"), p("customer_phone"),
		p("last_contact_date"), p("product_interest"), pd("notes", ""), p("follow_up_by"),
	}, addCustomer)
	def("customer_relationship_manager_delete_customer", crm, "delete_customer", []param{p("customer_id")}, deleteCustomer)
}

// wrap is a tool's own try/except: an exception becomes its message
// with the tool's prefix, as a result.
func wrap(prefix string, v any, err error) (any, error) {
	if err != nil {
		if _, ok := err.(*pyErr); ok {
			return prefix + err.Error(), nil
		}
		return nil, err
	}
	return v, nil
}

// keyError is the KeyError of df["name"] for a column a frame lacks (NeMo
// Gym's own data has every column; a test's frames may not).
type keyError struct{ name string }

func mustCol(t *table, name string) int {
	i := t.col(name)
	if i < 0 {
		panic(keyError{name})
	}
	return i
}

// try runs a tool body, turning a missing column into Python's KeyError.
func try(f func() (any, error)) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			k, ok := p.(keyError)
			if !ok {
				panic(p)
			}
			v, err = nil, raise("%s", pyrepr.Str(k.name))
		}
	}()
	return f()
}

// deleteByID is `if id in df[col].values: df = df[df[col] != id]`; found
// says whether the id was there.
func deleteByID(t **table, col string, id any) (found bool, err error) {
	c := mustCol(*t, col)
	if found, err = inValues(*t, c, id); err != nil || !found {
		return found, err
	}
	m, err := eqMask(*t, c, id, true)
	if err != nil {
		return false, err
	}
	*t, _ = m.apply(*t)
	return true, nil
}

// ---- company directory ----

func findEmailAddress(st *state, a []any) (any, error) {
	name := a[0]
	if s, ok := name.(string); ok && s == "" {
		return "Name not provided.", nil
	}
	s, err := strOf(name, "lower")
	if err != nil {
		return nil, err
	}
	d := st.directory
	m, err := strContains(d, 0, lower(s), false)
	if err != nil {
		return nil, err
	}
	found, err := m.apply(d)
	if err != nil {
		return nil, err
	}
	out := make([]any, found.len())
	for i, r := range found.rows {
		out[i] = r[0]
	}
	return out, nil
}

// ---- email ----

func getEmailInformation(st *state, a []any) (any, error) {
	id, field := a[0], a[1]
	if !truthy(id) {
		return "Email ID not provided.", nil
	}
	if !truthy(field) {
		return "Field not provided.", nil
	}
	v, err := try(func() (any, error) {
		t := st.emails
		m, err := eqMask(t, mustCol(t, "email_id"), id, false)
		if err != nil {
			return nil, err
		}
		found, _ := m.apply(t)
		if found.len() == 0 {
			return "Email not found.", nil
		}
		rec := found.record(0)
		in, err := pyIn(field, rec)
		if err != nil {
			return nil, err
		}
		if in {
			v, _ := rec.get(field.(string))
			return &dict{keys: []string{field.(string)}, vals: []any{v}}, nil
		}
		return fmt.Sprintf("Field '%s' not found. Available fields: %s", pyStr(field), strings.Join(rec.keys, ", ")), nil
	})
	return wrap("Error retrieving email information: ", v, err)
}

func searchEmails(st *state, a []any) (any, error) {
	v, err := try(func() (any, error) {
		query, dateMin, dateMax, page, pageSize := a[0], a[1], a[2], a[3], a[4]
		q, err := strOf(query, "lower")
		if err != nil {
			return nil, err
		}
		words := split(lower(q))
		t := st.emails
		subj, body, who := mustCol(t, "subject"), mustCol(t, "body"), mustCol(t, "sender/recipient")
		matched := t.filter(func(i int) bool {
			combined := searchText(t.rows[i], subj, body, who)
			for _, w := range words {
				if !strings.Contains(combined, w) {
					return false
				}
			}
			return true
		})
		sent := mustCol(t, "sent_datetime")
		keys := make([]int64, matched.len())
		for i, r := range matched.rows {
			s, err := toStamp(r[sent])
			if err != nil {
				return nil, err
			}
			keys[i] = s.wall.UnixNano()
		}
		order := npArgsortDescending(keys)
		emails := make([]*dict, 0, len(order))
		for _, i := range order {
			emails = append(emails, matched.record(i))
		}
		for _, bound := range []struct {
			v   any
			min bool
		}{{dateMin, true}, {dateMax, false}} {
			if !truthy(bound.v) {
				continue
			}
			kept := emails[:0:0]
			for _, e := range emails {
				sd, _ := e.get("sent_datetime")
				es, err := toStamp(sd)
				if err != nil {
					return nil, err
				}
				bs, err := toStamp(bound.v)
				if err != nil {
					return nil, err
				}
				ok, err := compareDates(es, bs, bound.min)
				if err != nil {
					return nil, err
				}
				if ok {
					kept = append(kept, e)
				}
			}
			emails = kept
		}
		items := make([]any, len(emails))
		for i, e := range emails {
			items[i] = e
		}
		pg, err := paginate(int64(len(items)), page, pageSize)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return "No emails found.", nil
		}
		slice, err := pg.slice(items)
		if err != nil {
			return nil, err
		}
		return &dict{
			keys: []string{"emails", "pagination"},
			vals: []any{slice, pg.dict("total_emails", int64(len(items)))},
		}, nil
	})
	return wrap("Error searching emails: ", v, err)
}

// searchText is f"{row['subject']} {row['body']} {row['sender/recipient']}".lower(),
// read from the initial emails' precomputed texts when the row is one of
// them (rows are never changed in place, so a row's text never changes).
func searchText(r []any, subj, body, who int) string {
	if len(r) > 0 {
		if s, ok := initialSearchText[&r[0]]; ok && subj == 3 && body == 5 && who == 2 {
			return s
		}
	}
	return lower(pyStr(r[subj]) + " " + pyStr(r[body]) + " " + pyStr(r[who]))
}

// initialSearchText holds the search text of each initial email row, keyed
// by the row's first cell. It is written once, before any session exists.
var initialSearchText map[*any]string

// compareDates is Timestamp(a).date() >= Timestamp(b).date() (or <= when
// !min).
func compareDates(a, b stamp, min bool) (bool, error) {
	if a.nat || b.nat {
		return false, raise("'%s' not supported between instances of 'NaTType' and 'datetime.date'", map[bool]string{true: ">=", false: "<="}[min])
	}
	ay, am, ad := a.date()
	by, bm, bd := b.date()
	c := 0
	switch {
	case ay != by:
		c = cmpInt(ay, by)
	case am != bm:
		c = cmpInt(int(am), int(bm))
	default:
		c = cmpInt(ad, bd)
	}
	if min {
		return c >= 0, nil
	}
	return c <= 0, nil
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortDescending returns the order of a descending sort of stamps, equal
// ones in their original order, as Python's sort(reverse=True) leaves
// them.
func sortDescending(stamps []stamp) ([]int, error) {
	order := make([]int, len(stamps))
	for i := range order {
		order[i] = i
	}
	var err error
	slices.SortStableFunc(order, func(x, y int) int {
		c, ok, e := stamps[y].compare(stamps[x])
		if e != nil && err == nil {
			err = e
		}
		if !ok {
			return 0
		}
		return c
	})
	return order, err
}

// plausibleAddress is `"@" in recipient and "." in recipient`.
func plausibleAddress(recipient any) (bool, error) {
	at, err := pyIn("@", recipient)
	if err != nil || !at {
		return false, err
	}
	return pyIn(".", recipient)
}

func sendEmail(st *state, recipient, subject, body any) (any, error) {
	if !truthy(recipient) || !truthy(subject) || !truthy(body) {
		return "Recipient, subject, or body not provided.", nil
	}
	if ok, err := plausibleAddress(recipient); err != nil || !ok {
		return "Invalid recipient email address.", err
	}
	v, err := try(func() (any, error) {
		r, err := strOf(recipient, "lower")
		if err != nil {
			return nil, err
		}
		t := st.emails
		id := "1"
		if t.len() > 0 && len(t.cols) > 0 {
			if id, err = nextID(t, mustCol(t, "email_id"), 0); err != nil {
				return nil, err
			}
		}
		st.emails = t.appendRow(
			[]string{"email_id", "inbox/outbox", "sender/recipient", "subject", "sent_datetime", "body"},
			[]any{id, "outbox", lower(r), subject, hardcodedNow, body}, true)
		return "Email sent successfully.", nil
	})
	return wrap("Error sending email: ", v, err)
}

func deleteEmail(st *state, a []any) (any, error) {
	id := a[0]
	if !truthy(id) {
		return "Email ID not provided.", nil
	}
	v, err := try(func() (any, error) {
		found, err := deleteByID(&st.emails, "email_id", id)
		if err != nil || !found {
			return "Email not found.", err
		}
		return "Email deleted successfully.", nil
	})
	return wrap("Error deleting email: ", v, err)
}

// emailByID is self._emails[self._emails["email_id"] == id].to_dict(orient="records")[0],
// after an `id not in values` check.
func emailByID(st *state, id any) (*dict, bool, error) {
	t := st.emails
	col := mustCol(t, "email_id")
	in, err := inValues(t, col, id)
	if err != nil || !in {
		return nil, false, err
	}
	m, err := eqMask(t, col, id, false)
	if err != nil {
		return nil, false, err
	}
	found, _ := m.apply(t)
	if found.len() == 0 {
		return nil, false, raise("list index out of range")
	}
	return found.record(0), true, nil
}

func forwardEmail(st *state, a []any) (any, error) {
	id, recipient := a[0], a[1]
	if !truthy(id) || !truthy(recipient) {
		return "Email ID or recipient not provided.", nil
	}
	if ok, err := plausibleAddress(recipient); err != nil || !ok {
		return "Invalid recipient email address.", err
	}
	v, err := try(func() (any, error) {
		e, ok, err := emailByID(st, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return "Email not found.", nil
		}
		r, err := strOf(recipient, "lower")
		if err != nil {
			return nil, err
		}
		subject, _ := e.get("subject")
		body, _ := e.get("body")
		res, err := sendEmail(st, lower(r), "FW: "+pyStr(subject), body)
		if err != nil {
			return nil, err
		}
		if s := res.(string); strings.Contains(s, "Error") || strings.Contains(s, "Invalid") {
			return s, nil
		}
		return "Email forwarded successfully.", nil
	})
	return wrap("Error forwarding email: ", v, err)
}

func replyEmail(st *state, a []any) (any, error) {
	id, body := a[0], a[1]
	if !truthy(id) || !truthy(body) {
		return "Email ID or body not provided.", nil
	}
	v, err := try(func() (any, error) {
		e, ok, err := emailByID(st, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return "Email not found.", nil
		}
		recipient, _ := e.get("sender/recipient")
		subject, _ := e.get("subject")
		res, err := sendEmail(st, recipient, "RE: "+pyStr(subject), body)
		if err != nil {
			return nil, err
		}
		if s := res.(string); strings.Contains(s, "Error") || strings.Contains(s, "Invalid") {
			return s, nil
		}
		return "Email replied successfully.", nil
	})
	return wrap("Error replying to email: ", v, err)
}

// ---- pagination ----

// pages is the pagination arithmetic of the search tools, with Python's
// integer (or float) operations on the page and page_size arguments.
type pages struct {
	page, pageSize, totalPages any
	start, end                 any
}

func paginate(total int64, page, pageSize any) (*pages, error) {
	// total_pages = (total + page_size - 1) // page_size
	s, err := arith(total, "+", pageSize)
	if err != nil {
		return nil, err
	}
	if s, err = arith(s, "-", int64(1)); err != nil {
		return nil, err
	}
	totalPages, err := arith(s, "//", pageSize)
	if err != nil {
		return nil, err
	}
	// page = max(1, min(page, total_pages)) if total_pages > 0 else 1
	pos, err := pyCompare(totalPages, ">", int64(0))
	if err != nil {
		return nil, err
	}
	if pos {
		lt, err := pyCompare(totalPages, "<", page)
		if err != nil {
			return nil, err
		}
		m := page
		if lt {
			m = totalPages
		}
		gt, err := pyCompare(m, ">", int64(1))
		if err != nil {
			return nil, err
		}
		if gt {
			page = m
		} else {
			page = int64(1)
		}
	} else {
		page = int64(1)
	}
	// start_idx = (page - 1) * page_size; end_idx = min(start_idx + page_size, total)
	start, err := arith(page, "-", int64(1))
	if err != nil {
		return nil, err
	}
	if start, err = arith(start, "*", pageSize); err != nil {
		return nil, err
	}
	end, err := arith(start, "+", pageSize)
	if err != nil {
		return nil, err
	}
	if lt, err := pyCompare(int64(total), "<", end); err != nil {
		return nil, err
	} else if lt {
		end = total
	}
	return &pages{page: page, pageSize: pageSize, totalPages: totalPages, start: start, end: end}, nil
}

func (p *pages) dict(totalKey string, total int64) *dict {
	return &dict{
		keys: []string{totalKey, "page", "page_size", "total_pages"},
		vals: []any{total, p.page, p.pageSize, p.totalPages},
	}
}

// slice is items[start:end] with Python's slice rules.
func (p *pages) slice(items []any) ([]any, error) {
	start, ok1 := index(p.start)
	end, ok2 := index(p.end)
	if !ok1 || !ok2 {
		return nil, raise("slice indices must be integers or None or have an __index__ method")
	}
	n := int64(len(items))
	s, e := pyslice.Clamp(start, n), pyslice.Clamp(end, n)
	if e < s {
		return []any{}, nil
	}
	return items[s:e], nil
}

func index(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// arith is Python's x op y for + - * // on ints, floats and bools.
func arith(x any, op string, y any) (any, error) {
	xi, xInt := index(x)
	yi, yInt := index(y)
	if xInt && yInt {
		switch op {
		case "+":
			return xi + yi, nil
		case "-":
			return xi - yi, nil
		case "*":
			return xi * yi, nil
		case "//":
			if yi == 0 {
				return nil, raise("integer division or modulo by zero")
			}
			q := xi / yi
			if (xi%yi != 0) && ((xi < 0) != (yi < 0)) {
				q--
			}
			return q, nil
		}
	}
	xf, xNum := number(x)
	yf, yNum := number(y)
	if !xNum || !yNum {
		return nil, raise("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(x), typeName(y))
	}
	switch op {
	case "+":
		return xf + yf, nil
	case "-":
		return xf - yf, nil
	case "*":
		return xf * yf, nil
	default:
		if yf == 0 {
			return nil, raise("float floor division by zero")
		}
		return math.Floor(xf / yf), nil
	}
}

// ---- calendar ----

var (
	eventInfoFields   = []string{"event_id", "event_name", "participant_email", "event_start", "duration"}
	eventUpdateFields = []string{"event_name", "participant_email", "event_start", "duration"}
)

func validEventID(id any) bool {
	s, ok := id.(string)
	return ok && len([]rune(s)) == 8 && isDigitString(s)
}

func getEventInformation(st *state, a []any) (any, error) {
	id, field := a[0], a[1]
	if !truthy(id) {
		return "Event ID not provided.", nil
	}
	if !truthy(field) {
		return "Field not provided.", nil
	}
	if !validEventID(id) {
		return "Invalid event ID format. Expected 8-digit ID.", nil
	}
	if !inStrings(field, eventInfoFields...) {
		return "Invalid field. Available fields are: " + strings.Join(eventInfoFields, ", "), nil
	}
	t := st.calendar
	m, _ := eqMask(t, mustCol(t, "event_id"), id, false)
	found, _ := m.apply(t)
	if found.len() == 0 {
		return "Event not found.", nil
	}
	f := field.(string)
	v, ok := found.record(0).get(f)
	if !ok {
		return "Field not found.", nil
	}
	return &dict{keys: []string{f}, vals: []any{v}}, nil
}

func searchEvents(st *state, a []any) (any, error) {
	query, timeMin, timeMax, page, pageSize := a[0], a[1], a[2], a[3], a[4]
	var lo, hi stamp
	if truthy(timeMin) {
		s, err := toStamp(timeMin)
		if err != nil {
			if isValueError(err) {
				return "Invalid time_min format. Expected YYYY-MM-DD HH:MM:SS.", nil
			}
			return nil, err
		}
		lo = s
	}
	if truthy(timeMax) {
		s, err := toStamp(timeMax)
		if err != nil {
			if isValueError(err) {
				return "Invalid time_max format. Expected YYYY-MM-DD HH:MM:SS.", nil
			}
			return nil, err
		}
		hi = s
	}
	t := st.calendar
	byName, err := strContains(t, mustCol(t, "event_name"), query, true)
	if err != nil {
		return nil, err
	}
	byEmail, err := strContains(t, mustCol(t, "participant_email"), query, true)
	if err != nil {
		return nil, err
	}
	found := t.filter(func(i int) bool { return byName.keep[i] || byEmail.keep[i] })
	type event struct{ rec *dict }
	events := make([]event, found.len())
	for i := range found.rows {
		events[i] = event{rec: found.record(i)}
	}
	startOf := func(e event) (stamp, error) { v, _ := e.rec.get("event_start"); return toStamp(v) }
	for _, bound := range []struct {
		on  bool
		at  stamp
		min bool
	}{{truthy(timeMin), lo, true}, {truthy(timeMax), hi, false}} {
		if !bound.on {
			continue
		}
		kept := events[:0:0]
		for _, e := range events {
			s, err := startOf(e)
			if err != nil {
				return nil, err
			}
			c, ok, err := s.compare(bound.at)
			if err != nil {
				return nil, err
			}
			if ok && ((bound.min && c >= 0) || (!bound.min && c <= 0)) {
				kept = append(kept, e)
			}
		}
		events = kept
	}
	if len(events) == 0 {
		return "No events found.", nil
	}
	stamps := make([]stamp, len(events))
	for i, e := range events {
		s, err := startOf(e)
		if err != nil {
			return nil, err
		}
		stamps[i] = s
	}
	order, err := sortDescending(stamps)
	if err != nil {
		return nil, err
	}
	items := make([]any, len(order))
	for i, j := range order {
		items[i] = events[j].rec
	}
	pg, err := paginate(int64(len(items)), page, pageSize)
	if err != nil {
		return nil, err
	}
	slice, err := pg.slice(items)
	if err != nil {
		return nil, err
	}
	return &dict{
		keys: []string{"events", "pagination"},
		vals: []any{slice, pg.dict("total_events", int64(len(items)))},
	}, nil
}

// isValueError tells pd.Timestamp's ValueError (a string it cannot read)
// from its TypeError (a value of the wrong type).
func isValueError(err error) bool {
	return !strings.HasPrefix(err.Error(), "Cannot convert input")
}

// checkDuration is the int(duration) > 0 check of create_event and
// update_event.
func checkDuration(v any) (string, error) {
	n, err := pyInt(v)
	if err != nil {
		// TypeError and OverflowError are not the ValueError NeMo Gym catches.
		if msg := err.Error(); strings.HasPrefix(msg, "int() argument must be") || strings.HasPrefix(msg, "cannot convert float infinity") {
			return "", err
		}
		return "Invalid duration format. Expected a number of minutes.", nil
	}
	if n <= 0 {
		return "Duration must be a positive number of minutes.", nil
	}
	return "", nil
}

func createEvent(st *state, a []any) (any, error) {
	name, email, start, duration := a[0], a[1], a[2], a[3]
	switch {
	case !truthy(name):
		return "Event name not provided.", nil
	case !truthy(email):
		return "Participant email not provided.", nil
	case !truthy(start):
		return "Event start not provided.", nil
	case !truthy(duration):
		return "Event duration not provided.", nil
	}
	if _, err := toStamp(start); err != nil {
		if isValueError(err) {
			return "Invalid event_start format. Expected YYYY-MM-DD HH:MM:SS.", nil
		}
		return nil, err
	}
	if msg, err := checkDuration(duration); msg != "" || err != nil {
		return msg, err
	}
	e, err := strOf(email, "lower")
	if err != nil {
		return nil, err
	}
	t := st.calendar
	id, err := nextID(t, mustCol(t, "event_id"), 8)
	if err != nil {
		return nil, err
	}
	st.calendar = t.appendRow(eventInfoFields, []any{id, name, lower(e), start, duration}, false)
	return id, nil
}

func deleteEvent(st *state, a []any) (any, error) {
	id := a[0]
	if !truthy(id) {
		return "Event ID not provided.", nil
	}
	if !validEventID(id) {
		return "Invalid event ID format. Expected 8-digit ID.", nil
	}
	if found, _ := deleteByID(&st.calendar, "event_id", id); !found {
		return "Event not found.", nil
	}
	return "Event deleted successfully.", nil
}

func updateEvent(st *state, a []any) (any, error) {
	id, field, value := a[0], a[1], a[2]
	if !truthy(id) || !truthy(field) || !truthy(value) {
		return "Event ID, field, or new value not provided.", nil
	}
	if !validEventID(id) {
		return "Invalid event ID format. Expected 8-digit ID.", nil
	}
	if !inStrings(field, eventUpdateFields...) {
		return "Invalid field. Available fields are: " + strings.Join(eventUpdateFields, ", "), nil
	}
	f := field.(string)
	switch f {
	case "event_start":
		if _, err := toStamp(value); err != nil {
			if isValueError(err) {
				return "Invalid event_start format. Expected YYYY-MM-DD HH:MM:SS.", nil
			}
			return nil, err
		}
	case "duration":
		if msg, err := checkDuration(value); msg != "" || err != nil {
			return msg, err
		}
	}
	t := st.calendar
	col := mustCol(t, "event_id")
	if in, _ := inValues(t, col, id); !in {
		return "Event not found.", nil
	}
	if f == "participant_email" {
		s, err := strOf(value, "lower")
		if err != nil {
			return nil, err
		}
		value = lower(s)
	}
	m, _ := eqMask(t, col, id, false)
	n, err := t.setMasked(mustCol(t, f), m, value)
	if err != nil {
		return nil, err
	}
	st.calendar = n
	return "Event updated successfully.", nil
}

// ---- analytics ----

var (
	plotValues = []string{"total_visits", "session_duration_seconds", "user_engaged", "visits_direct", "visits_referral", "visits_search_engine", "visits_social_media"}
	plotTypes  = []string{"bar", "line", "scatter", "histogram"}
)

func getVisitorInformation(st *state, a []any) (any, error) {
	id := a[0]
	if !truthy(id) {
		return "Visitor ID not provided.", nil
	}
	t := st.analytics
	m, err := eqMask(t, mustCol(t, "visitor_id"), id, false)
	if err != nil {
		return nil, err
	}
	found, _ := m.apply(t)
	if found.len() == 0 {
		return "Visitor not found.", nil
	}
	return found.records(), nil
}

func createPlot(st *state, a []any) (any, error) {
	timeMin, timeMax, value, kind := a[0], a[1], a[2], a[3]
	switch {
	case !truthy(timeMin):
		return "Start date not provided.", nil
	case !truthy(timeMax):
		return "End date not provided.", nil
	case !containsValue(strs(plotValues), value):
		return "Value to plot must be one of 'total_visits', 'session_duration_seconds', 'user_engaged', 'visits_direct', 'visits_referral', 'visits_search_engine', 'visits_social_media'", nil
	case !containsValue(strs(plotTypes), kind):
		return "Plot type must be one of 'bar', 'line', 'scatter', or 'histogram'", nil
	}
	path := fmt.Sprintf("plots/%s_%s_%s_%s.png", pyStr(timeMin), pyStr(timeMax), pyStr(value), pyStr(kind))
	t := st.plots
	n := &table{cols: t.cols, index: append(slices.Clip(t.index), int64(t.len())), rows: append(slices.Clip(t.rows), []any{path})}
	st.plots = n
	return path, nil
}

func strs(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// visitsIn is the time filter of the analytics counts: rows with
// date_of_visit >= time_min (if set) and <= time_max (if set), compared
// as Python compares the cells with the arguments.
func visitsIn(t *table, timeMin, timeMax any) (*table, error) {
	col := mustCol(t, "date_of_visit")
	data := t
	if truthy(timeMin) {
		m, err := cmpMask(data, col, ">=", timeMin)
		if err != nil {
			return nil, err
		}
		data, _ = m.apply(data)
	}
	if truthy(timeMax) {
		m, err := cmpMask(data, col, "<=", timeMax)
		if err != nil {
			return nil, err
		}
		data, _ = m.apply(data)
	}
	return data, nil
}

// groupByDate sums value(row) per date_of_visit, dates sorted as groupby
// sorts them.
func groupByDate(t *table, value func(r []any) (float64, bool)) (dates []string, sums []float64, counts []int64) {
	col := mustCol(t, "date_of_visit")
	pos := map[string]int{}
	for _, r := range t.rows {
		d := pyStr(r[col])
		i, ok := pos[d]
		if !ok {
			i = len(dates)
			pos[d] = i
			dates = append(dates, d)
			sums = append(sums, 0)
			counts = append(counts, 0)
		}
		if v, ok := value(r); ok {
			sums[i] += v
			counts[i]++
		}
	}
	order := make([]int, len(dates))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(dates[a], dates[b]) })
	sd, ss, sc := make([]string, len(order)), make([]float64, len(order)), make([]int64, len(order))
	for k, i := range order {
		sd[k], ss[k], sc[k] = dates[i], sums[i], counts[i]
	}
	return sd, ss, sc
}

func countsDict(dates []string, counts []int64) *dict {
	d := &dict{keys: dates, vals: make([]any, len(dates))}
	for i, c := range counts {
		d.vals[i] = c
	}
	return d
}

func totalVisitsCount(st *state, a []any) (any, error) {
	data, err := visitsIn(st.analytics, a[0], a[1])
	if err != nil {
		return nil, err
	}
	dates, _, counts := groupByDate(data, func([]any) (float64, bool) { return 0, true })
	return countsDict(dates, counts), nil
}

func engagedUsersCount(st *state, a []any) (any, error) {
	data, err := visitsIn(st.analytics, a[0], a[1])
	if err != nil {
		return nil, err
	}
	col := mustCol(data, "user_engaged")
	dates, sums, _ := groupByDate(data, func(r []any) (float64, bool) {
		if truthy(r[col]) {
			return 1, true
		}
		return 0, true
	})
	return intDict(dates, sums), nil
}

func intDict(dates []string, sums []float64) *dict {
	d := &dict{keys: dates, vals: make([]any, len(dates))}
	for i, s := range sums {
		d.vals[i] = int64(s)
	}
	return d
}

func trafficSourceCount(st *state, a []any) (any, error) {
	data, err := visitsIn(st.analytics, a[0], a[1])
	if err != nil {
		return nil, err
	}
	source := a[2]
	if !truthy(source) {
		dates, _, counts := groupByDate(data, func([]any) (float64, bool) { return 0, true })
		return countsDict(dates, counts), nil
	}
	col := mustCol(data, "traffic_source")
	if l, ok := source.([]any); ok && len(l) != data.len() {
		return nil, raise("('Lengths must match to compare', (%d,), (%d,))", data.len(), len(l))
	}
	dates, sums, _ := groupByDate(data, func(r []any) (float64, bool) {
		if pyEq(r[col], source) {
			return 1, true
		}
		return 0, true
	})
	return intDict(dates, sums), nil
}

func averageSessionDuration(st *state, a []any) (any, error) {
	data, err := visitsIn(st.analytics, a[0], a[1])
	if err != nil {
		return nil, err
	}
	col := mustCol(data, "session_duration_seconds")
	floats := make([]float64, data.len())
	for i, r := range data.rows {
		f, err := pyFloat(r[col])
		if err != nil {
			return nil, err
		}
		floats[i] = f
	}
	if data == st.analytics {
		// NeMo Gym converts the column of the session's own frame when no
		// time bound narrows it to a copy: later calls see floats.
		st.analytics = data.mapColumn(col, func(v any) any { f, _ := pyFloat(v); return f })
	}
	// groupby().mean(): NaN skipped, Kahan summation per group.
	dateCol := mustCol(data, "date_of_visit")
	type acc struct {
		sum, comp float64
		n         int64
	}
	pos := map[string]*acc{}
	var dates []string
	for i, r := range data.rows {
		d := pyStr(r[dateCol])
		g, ok := pos[d]
		if !ok {
			g = &acc{}
			pos[d] = g
			dates = append(dates, d)
		}
		f := floats[i]
		if f != f {
			continue
		}
		y := f - g.comp
		t := g.sum + y
		g.comp = (t - g.sum) - y
		g.sum = t
		g.n++
	}
	slices.Sort(dates)
	out := &dict{keys: dates, vals: make([]any, len(dates))}
	for i, d := range dates {
		g := pos[d]
		if g.n == 0 {
			out.vals[i] = nan
		} else {
			out.vals[i] = g.sum / float64(g.n)
		}
	}
	return out, nil
}

// pyFloat is astype(float) of a cell.
func pyFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case nil:
		return nan, nil
	case string:
		f, ok := parsePyFloat(x)
		if !ok {
			return 0, raise("could not convert string to float: %s", pyrepr.Str(x))
		}
		return f, nil
	}
	return 0, raise("float() argument must be a string or a real number, not '%s'", typeName(v))
}

// ---- project management ----

var (
	taskLists   = []string{"Backlog", "In Progress", "In Review", "Completed"}
	taskBoards  = []string{"Back end", "Front end", "Design"}
	taskEmailRe = regexp.MustCompile(`^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$`)
)

func getTaskInformation(st *state, a []any) (any, error) {
	id, field := a[0], a[1]
	if !truthy(id) {
		return "Task ID not provided.", nil
	}
	if !truthy(field) {
		return "Field not provided.", nil
	}
	t := st.tasks
	m, err := eqMask(t, mustCol(t, "task_id"), id, false)
	if err != nil {
		return nil, err
	}
	found, _ := m.apply(t)
	if found.len() == 0 {
		return "Task not found.", nil
	}
	rec := found.record(0)
	in, err := pyIn(field, rec)
	if err != nil {
		return nil, err
	}
	if !in {
		return "Field not found.", nil
	}
	v, _ := rec.get(field.(string))
	return &dict{keys: []string{field.(string)}, vals: []any{v}}, nil
}

func searchTasks(st *state, a []any) (any, error) {
	name, email, list, due, board := a[0], a[1], a[2], a[3], a[4]
	if !truthy(name) && !truthy(email) && !truthy(list) && !truthy(due) && !truthy(board) {
		return "No search parameters provided.", nil
	}
	if truthy(email) {
		s, ok := email.(string)
		if !ok {
			return nil, raise("expected string or bytes-like object, got '%s'", typeName(email))
		}
		if !taskEmailRe.MatchString(strings.TrimSuffix(s, "\n")) {
			return "Invalid email format for assigned_to_email.", nil
		}
	}
	tasks := st.tasks
	for _, f := range []struct {
		v   any
		col string
	}{{name, "task_name"}} {
		if err := containsFilter(&tasks, f.col, f.v); err != nil {
			return nil, err
		}
	}
	if truthy(email) {
		col := mustCol(tasks, "assigned_to_email")
		want := lower(email.(string))
		tasks = tasks.filter(func(i int) bool { return pyEq(lowerCell(tasks.rows[i][col]), want) })
	}
	for _, f := range []struct {
		v   any
		col string
	}{{list, "list_name"}, {due, "due_date"}, {board, "board"}} {
		if err := containsFilter(&tasks, f.col, f.v); err != nil {
			return nil, err
		}
	}
	return tasks.records(), nil
}

// containsFilter is `if v: t = t[t[col].str.contains(v, case=False)]`.
func containsFilter(t **table, col string, v any) error {
	if !truthy(v) {
		return nil
	}
	m, err := strContains(*t, mustCol(*t, col), v, false)
	if err != nil {
		return err
	}
	n, err := m.apply(*t)
	if err != nil {
		return err
	}
	*t = n
	return nil
}

func createTask(st *state, a []any) (any, error) {
	name, email, list, due, board := a[0], a[1], a[2], a[3], a[4]
	if !truthy(name) || !truthy(email) || !truthy(list) || !truthy(due) || !truthy(board) {
		return "Missing task details.", nil
	}
	e, err := strOf(email, "lower")
	if err != nil {
		return nil, err
	}
	e = lower(e)
	t := st.tasks
	if !containsValue(lowerValues(t, mustCol(t, "assigned_to_email")), e) {
		return "Assignee email not valid. Please choose from the list of team members.", nil
	}
	if !containsValue(strs(taskLists), list) {
		return "List not valid. Please choose from: 'Backlog', 'In Progress', 'In Review', 'Completed'.", nil
	}
	if !containsValue(strs(taskBoards), board) {
		return "Board not valid. Please choose from: 'Back end', 'Front end', 'Design'.", nil
	}
	id, err := nextID(t, mustCol(t, "task_id"), 8)
	if err != nil {
		return nil, err
	}
	st.tasks = t.appendRow(
		[]string{"task_id", "task_name", "assigned_to_email", "list_name", "due_date", "board"},
		[]any{id, name, e, list, due, board}, true)
	return id, nil
}

func deleteTask(st *state, a []any) (any, error) {
	id := a[0]
	if !truthy(id) {
		return "Task ID not provided.", nil
	}
	found, err := deleteByID(&st.tasks, "task_id", id)
	if err != nil || !found {
		return "Task not found.", err
	}
	return "Task deleted successfully.", nil
}

func updateTask(st *state, a []any) (any, error) {
	id, field, value := a[0], a[1], a[2]
	if !truthy(id) || !truthy(field) || !truthy(value) {
		return "Task ID, field, or new value not provided.", nil
	}
	isField := func(name string) bool { return pyEq(field, name) }
	if isField("assigned_to_email") {
		s, err := strOf(value, "lower")
		if err != nil {
			return nil, err
		}
		value = lower(s)
	}
	t := st.tasks
	if isField("board") && !containsValue(strs(taskBoards), value) {
		return "Board not valid. Please choose from: 'Back end', 'Front end', 'Design'.", nil
	}
	if isField("list_name") && !containsValue(strs(taskLists), value) {
		return "List not valid. Please choose from: 'Backlog', 'In Progress', 'In Review', 'Completed'.", nil
	}
	if isField("assigned_to_email") && !containsValue(lowerValues(t, mustCol(t, "assigned_to_email")), value) {
		return "Assignee email not valid. Please choose from the list of team members.", nil
	}
	col := mustCol(t, "task_id")
	in, err := inValues(t, col, id)
	if err != nil {
		return nil, err
	}
	if !in {
		return "Task not found.", nil
	}
	return setField(&st.tasks, col, id, field, value, "Task updated successfully.", "Field not valid.")
}

// setField is `if field in df.columns: df.loc[df[idCol] == id, field] = value`.
func setField(t **table, idCol int, id, field, value any, ok, notValid string) (any, error) {
	if err := hashable(field); err != nil {
		return nil, err
	}
	f, isStr := field.(string)
	if !isStr || (*t).col(f) < 0 {
		return notValid, nil
	}
	m, err := eqMask(*t, idCol, id, false)
	if err != nil {
		return nil, err
	}
	n, err := (*t).setMasked((*t).col(f), m, value)
	if err != nil {
		return nil, err
	}
	*t = n
	return ok, nil
}

// ---- customer relationship manager ----

var (
	crmStatuses  = []string{"Qualified", "Won", "Lost", "Lead", "Proposal"}
	crmProducts  = []string{"Software", "Hardware", "Services", "Consulting", "Training"}
	crmNewFields = []string{"customer_id", "customer_name", "customer_email", "customer_phone", "last_contact_date", "product_interest", "status", "assigned_to_email", "notes", "follow_up_by"}
)

func searchCustomers(st *state, a []any) (any, error) {
	customers := st.crm
	given := false
	for _, v := range a[:9] {
		given = given || truthy(v)
	}
	if !given {
		return "No search parameters provided. Please provide at least one parameter.", nil
	}
	for i, col := range []string{"customer_name", "customer_email", "product_interest", "status", "assigned_to_email"} {
		if err := containsFilter(&customers, col, a[i]); err != nil {
			return nil, err
		}
	}
	for i, f := range []struct {
		col, op string
	}{{"last_contact_date", ">="}, {"last_contact_date", "<="}, {"follow_up_by", ">="}, {"follow_up_by", "<="}} {
		v := a[5+i]
		if !truthy(v) {
			continue
		}
		m, err := cmpMask(customers, mustCol(customers, f.col), f.op, v)
		if err != nil {
			return nil, err
		}
		customers, _ = m.apply(customers)
	}
	records := customers.records()
	total := int64(len(records))
	pg, err := paginate(total, a[9], a[10])
	if err != nil {
		return nil, err
	}
	slice, err := pg.slice(records)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return "No customers found.", nil
	}
	return &dict{
		keys: []string{"customers", "pagination"},
		vals: []any{slice, pg.dict("total_customers", total)},
	}, nil
}

func updateCustomer(st *state, a []any) (any, error) {
	id, field, value := a[0], a[1], a[2]
	if !truthy(id) || !truthy(field) || !truthy(value) {
		return "Customer ID, field, or new value not provided.", nil
	}
	if pyEq(field, "status") && !containsValue(strs(crmStatuses), value) {
		return "Status not valid. Please choose from: 'Qualified', 'Won', 'Lost', 'Lead', 'Proposal'", nil
	}
	if pyEq(field, "product_interest") && !containsValue(strs(crmProducts), value) {
		return "Product interest not valid. Please choose from: 'Software', 'Hardware', 'Services', 'Consulting', 'Training'", nil
	}
	if pyEq(field, "customer_email") || pyEq(field, "assigned_to_email") {
		s, err := strOf(value, "lower")
		if err != nil {
			return nil, err
		}
		value = lower(s)
	}
	t := st.crm
	col := mustCol(t, "customer_id")
	in, err := inValues(t, col, id)
	if err != nil {
		return nil, err
	}
	if !in {
		return "Customer not found.", nil
	}
	return setField(&st.crm, col, id, field, value, "Customer updated successfully.",
		"Field not valid. Please choose from: 'customer_name', 'assigned_to_email', 'customer_email', 'customer_phone', 'last_contact_date', 'product_interest', 'status', 'notes', 'follow_up_by'")
}

func addCustomer(st *state, a []any) (any, error) {
	name, assigned, status, email, phone, last, product, notes, follow := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]
	if !truthy(name) || !truthy(assigned) || !truthy(status) {
		return "Please provide all required fields: customer_name, assigned_to_email, status.", nil
	}
	s, err := strOf(assigned, "lower")
	if err != nil {
		return nil, err
	}
	assigned = lower(s)
	if truthy(email) {
		e, err := strOf(email, "lower")
		if err != nil {
			return nil, err
		}
		email = lower(e)
	}
	t := st.crm
	id, err := nextID(t, mustCol(t, "customer_id"), 8)
	if err != nil {
		return nil, err
	}
	st.crm = t.appendRow(crmNewFields, []any{id, name, email, phone, last, product, status, assigned, notes, follow}, true)
	return id, nil
}

func deleteCustomer(st *state, a []any) (any, error) {
	id := a[0]
	if !truthy(id) {
		return "Customer ID not provided.", nil
	}
	found, err := deleteByID(&st.crm, "customer_id", id)
	if err != nil || !found {
		return "Customer not found.", err
	}
	return "Customer deleted successfully.", nil
}

// parsePyFloat is Python's float(str).
func parsePyFloat(s string) (float64, bool) {
	t := strings.TrimFunc(s, isPySpace)
	switch strings.ToLower(strings.TrimLeft(t, "+-")) {
	case "inf", "infinity":
		if strings.HasPrefix(t, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return nan, true
	}
	if strings.Contains(t, "__") || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") {
		return 0, false
	}
	t = strings.ReplaceAll(t, "_", "")
	if t == "" || strings.ContainsAny(t, "xXpP") {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}
