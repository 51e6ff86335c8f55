package workplace

import (
	"encoding/json"
	"testing"

	"github.com/gymkit/gym/internal/pyrepr"
	"github.com/stretchr/testify/require"
)

// frame is pd.DataFrame(records): the columns in order of first
// appearance, a missing cell NaN, labels 0..n-1.
func frame(t *testing.T, records string) *table {
	t.Helper()
	v, err := decodeJSON([]byte(records))
	require.NoError(t, err)
	list := v.([]any)
	tb := &table{index: rangeIndex(len(list))}
	for _, r := range list {
		for _, k := range r.(*dict).keys {
			if tb.col(k) < 0 {
				tb.cols = append(tb.cols, k)
			}
		}
	}
	for _, r := range list {
		row := make([]any, len(tb.cols))
		for i, c := range tb.cols {
			row[i] = nan
			if v, ok := r.(*dict).get(c); ok {
				row[i] = v
			}
		}
		tb.rows = append(tb.rows, row)
	}
	return tb
}

// analyticsFrame is AnalyticsTool.reset_state on a frame read_csv returned.
func analyticsFrame(t *testing.T, records string) *table {
	tb := frame(t, records)
	return tb.mapColumn(mustCol(tb, "user_engaged"), func(v any) any { return v == "True" })
}

func fresh(t *testing.T) *state {
	init, err := initial()
	require.NoError(t, err)
	st := *init
	return &st
}

// The cases of NeMo Gym's tests/test_app.py: each mocks one tool's CSV
// with a small frame, calls one tool and checks its output.
func TestNeMoGymAppCases(t *testing.T) {
	calendarSearch := `[
		{"event_id": "00000016", "event_name": "sync up", "participant_email": "santiago.martinez@atlas.com", "event_start": "2023-12-12 12:00:00", "duration": "90"},
		{"event_id": "00000017", "event_name": "Team sync up", "participant_email": "aisha.chen@atlas.com", "event_start": "2023-12-13 10:00:00", "duration": "30"},
		{"event_id": "00000018", "event_name": "Project Deadline", "participant_email": "sam@example.com", "event_start": "2023-12-14 17:00:00", "duration": "5"}]`
	for _, tc := range []struct {
		name string
		mock func(t *testing.T, st *state)
		tool string
		args string
		want string
	}{
		{"company_directory_find_email_address", func(t *testing.T, st *state) {
			st.directory = frame(t, `[{"email_address": "aisha.chen@atlas.com"}, {"email_address": "carlos.rodriguez@atlas.com"}]`)
		}, "company_directory_find_email_address", `{"name": "aisha"}`, `["aisha.chen@atlas.com"]`},
		{"email_get_email_information_by_id", func(t *testing.T, st *state) {
			st.emails = frame(t, `[
				{"email_id": "00000393", "inbox/outbox": "inbox", "sender/recipient": "raj.patel@atlas.com", "subject": "Update on Supply Chain", "sent_datetime": "2023-10-01 13:11:52", "body": "Dear Sam, I have some ideas..."},
				{"email_id": "00000123", "inbox/outbox": "outbox", "sender/recipient": "test@example.com", "subject": "Test Subject", "sent_datetime": "2023-10-01 14:00:00", "body": "This is a test body."}]`)
		}, "email_get_email_information_by_id", `{"email_id": "00000393", "field": "inbox/outbox"}`, `{"inbox/outbox":"inbox"}`},
		{"email_search_emails", func(t *testing.T, st *state) {
			st.emails = frame(t, `[
				{"email_id": "match_01", "inbox/outbox": "inbox", "sender/recipient": "aisha.chen@atlas.com", "subject": "Matching Email Subject", "sent_datetime": "2025-09-01 10:00:00", "body": "This is a test email from Aisha."},
				{"email_id": "no_match_01", "inbox/outbox": "inbox", "sender/recipient": "another.user@example.com", "subject": "Non-Matching Subject", "sent_datetime": "2025-09-01 11:00:00", "body": "This email should not be found."}]`)
		}, "email_search_emails", `{"query": "aisha.chen@atlas.com"}`,
			`{"emails":[{"email_id":"match_01","inbox/outbox":"inbox","sender/recipient":"aisha.chen@atlas.com","subject":"Matching Email Subject","sent_datetime":"2025-09-01 10:00:00","body":"This is a test email from Aisha."}],"pagination":{"total_emails":1,"page":1,"page_size":5,"total_pages":1}}`},
		{"email_send_email", func(t *testing.T, st *state) {
			st.emails = frame(t, `[{"email_id": "123", "inbox/outbox": "inbox", "sender/recipient": "initial.user@example.com", "subject": "Initial Email", "sent_datetime": "2025-01-01 12:00:00", "body": "This is a pre-existing email."}]`)
		}, "email_send_email", `{"recipient": "aisha.chen@atlas.com", "subject": "regarding something", "body": "some body"}`, `"Email sent successfully."`},
		{"email_delete_email", func(t *testing.T, st *state) {
			st.emails = frame(t, `[
				{"email_id": "00000393", "inbox/outbox": "inbox", "sender/recipient": "user.one@example.com", "subject": "Email to be deleted", "sent_datetime": "2025-01-01 12:00:00", "body": "This is a test email."},
				{"email_id": "00000123", "inbox/outbox": "inbox", "sender/recipient": "user.two@example.com", "subject": "Another Email", "sent_datetime": "2025-01-01 12:05:00", "body": "This is another test email."}]`)
		}, "email_delete_email", `{"email_id": "00000393"}`, `"Email deleted successfully."`},
		{"email_forward_email", func(t *testing.T, st *state) {
			st.emails = frame(t, `[{"email_id": "00000393", "inbox/outbox": "inbox", "sender/recipient": "original.sender@example.com", "subject": "Original Subject", "sent_datetime": "2025-01-01 12:00:00", "body": "This is the original email body."}]`)
		}, "email_forward_email", `{"email_id": "00000393", "recipient": "aisha.chen@atlas.com"}`, `"Email forwarded successfully."`},
		{"calendar_get_event_information_by_id", func(t *testing.T, st *state) {
			st.calendar = frame(t, `[{"event_id": "00000013", "event_name": "Test Event", "participant_email": "test.user@example.com", "event_start": "2025-09-02 10:00:00", "duration": "60"}]`)
		}, "calendar_get_event_information_by_id", `{"event_id": "00000013", "field": "event_id"}`, `{"event_id":"00000013"}`},
		{"calendar_search_events", func(t *testing.T, st *state) { st.calendar = frame(t, calendarSearch) },
			"calendar_search_events", `{"query": "sync up"}`,
			`{"events":[{"event_id":"00000017","event_name":"Team sync up","participant_email":"aisha.chen@atlas.com","event_start":"2023-12-13 10:00:00","duration":"30"},{"event_id":"00000016","event_name":"sync up","participant_email":"santiago.martinez@atlas.com","event_start":"2023-12-12 12:00:00","duration":"90"}],"pagination":{"total_events":2,"page":1,"page_size":5,"total_pages":1}}`},
		{"calendar_delete_event", func(t *testing.T, st *state) {
			st.calendar = frame(t, `[{"event_id": "00000013", "event_name": "Event to Delete"}, {"event_id": "00000014", "event_name": "Another Event"}]`)
		}, "calendar_delete_event", `{"event_id": "00000013"}`, `"Event deleted successfully."`},
		{"calendar_update_event", func(t *testing.T, st *state) {
			st.calendar = frame(t, `[{"event_id": "00000013", "event_name": "Initial Name", "participant_email": "test@example.com", "event_start": "2025-01-01 10:00:00", "duration": "60"}]`)
		}, "calendar_update_event", `{"event_id": "00000013", "field": "duration", "new_value": "100"}`, `"Event updated successfully."`},
		{"analytics_engaged_users_count", func(t *testing.T, st *state) {
			st.analytics = analyticsFrame(t, `[{"date_of_visit": "2023-10-22", "visitor_id": "0860", "page_views": 8, "session_duration_seconds": 4, "traffic_source": "referral", "user_engaged": false}]`)
		}, "analytics_engaged_users_count", `{"time_min": "2023-10-22", "time_max": "2023-11-22"}`, `{"2023-10-22":0}`},
		{"analytics_get_visitor_information_by_id", func(t *testing.T, st *state) {
			st.analytics = analyticsFrame(t, `[
				{"date_of_visit": "2023-10-22", "visitor_id": "0860", "page_views": "8", "session_duration_seconds": "4", "traffic_source": "referral", "user_engaged": "False"},
				{"date_of_visit": "2023-11-22", "visitor_id": "4426", "page_views": "3", "session_duration_seconds": "12", "traffic_source": "direct", "user_engaged": "True"}]`)
		}, "analytics_get_visitor_information_by_id", `{"visitor_id": "0860"}`,
			`[{"date_of_visit":"2023-10-22","visitor_id":"0860","page_views":"8","session_duration_seconds":"4","traffic_source":"referral","user_engaged":false}]`},
		{"analytics_create_plot", func(t *testing.T, st *state) {
			st.analytics = analyticsFrame(t, `[{"date_of_visit": "2023-10-22", "page_views": "10", "user_engaged": "False"}]`)
		}, "analytics_create_plot", `{"time_min": "2023-10-22", "time_max": "2023-10-22", "value_to_plot": "total_visits", "plot_type": "bar"}`,
			`"plots/2023-10-22_2023-10-22_total_visits_bar.png"`},
		{"analytics_traffic_source_count", func(t *testing.T, st *state) {
			st.analytics = analyticsFrame(t, `[
				{"date_of_visit": "2023-10-22", "traffic_source": "referral", "user_engaged": "False"},
				{"date_of_visit": "2023-10-22", "traffic_source": "referral", "user_engaged": "False"},
				{"date_of_visit": "2023-10-22", "traffic_source": "direct", "user_engaged": "False"},
				{"date_of_visit": "2023-10-23", "traffic_source": "referral", "user_engaged": "False"}]`)
		}, "analytics_traffic_source_count", `{"time_min": "2023-10-22", "time_max": "2023-10-22", "traffic_source": "referral"}`, `{"2023-10-22":2}`},
		{"analytics_total_visits_count", func(t *testing.T, st *state) {
			rows := ""
			for i := range 15 {
				if i > 0 {
					rows += ","
				}
				d := "2023-10-22"
				if i >= 13 {
					d = "2023-10-23"
				}
				rows += `{"date_of_visit": "` + d + `", "user_engaged": "False"}`
			}
			st.analytics = analyticsFrame(t, "["+rows+"]")
		}, "analytics_total_visits_count", `{"time_min": "2023-10-22", "time_max": "2023-10-22"}`, `{"2023-10-22":13}`},
		{"analytics_get_average_session_duration", func(t *testing.T, st *state) {
			rows := ""
			for range 12 {
				rows += `{"date_of_visit": "2023-10-22", "session_duration_seconds": "15", "user_engaged": "False"},`
			}
			rows += `{"date_of_visit": "2023-10-22", "session_duration_seconds": "25", "user_engaged": "False"},
				{"date_of_visit": "2023-10-23", "session_duration_seconds": "100", "user_engaged": "False"}`
			st.analytics = analyticsFrame(t, "["+rows+"]")
		}, "analytics_get_average_session_duration", `{"time_min": "2023-10-22", "time_max": "2023-10-22"}`, `{"2023-10-22":15.76923076923077}`},
		{"project_management_get_task_information_by_id", func(t *testing.T, st *state) {
			st.tasks = frame(t, `[{"task_id": "00000149", "task_name": "Test Task"}]`)
		}, "project_management_get_task_information_by_id", `{"task_id": "00000149", "field": "task_id"}`, `{"task_id":"00000149"}`},
		{"project_management_search_tasks", func(t *testing.T, st *state) {
			st.tasks = frame(t, `[
				{"task_id": "00000149", "task_name": "Add animation to carousel", "assigned_to_email": "leila.azizi@atlas.com", "list_name": "Backlog", "due_date": "2023-11-27", "board": "Front end"},
				{"task_id": "00000151", "task_name": "Fix alignment issue in profile page", "assigned_to_email": "leila.azizi@atlas.com", "list_name": "Backlog", "due_date": "2023-11-27", "board": "Front end"},
				{"task_id": "00000999", "task_name": "Irrelevant Task", "assigned_to_email": "other@user.com", "list_name": "Done", "due_date": "2025-01-01", "board": "Design"}]`)
		}, "project_management_search_tasks", `{"task_name": "", "assigned_to_email": "leila.azizi@atlas.com", "list_name": "Backlog", "due_date": "2023-11-27", "board": "Front end"}`,
			`[{"task_id":"00000149","task_name":"Add animation to carousel","assigned_to_email":"leila.azizi@atlas.com","list_name":"Backlog","due_date":"2023-11-27","board":"Front end"},{"task_id":"00000151","task_name":"Fix alignment issue in profile page","assigned_to_email":"leila.azizi@atlas.com","list_name":"Backlog","due_date":"2023-11-27","board":"Front end"}]`},
		{"project_management_create_task", func(t *testing.T, st *state) {
			st.tasks = frame(t, `[{"task_id": "00000299", "assigned_to_email": "leila.azizi@atlas.com", "task_name": "Existing Task"}]`)
		}, "project_management_create_task", `{"task_name": "Add animation to carousel", "assigned_to_email": "leila.azizi@atlas.com", "list_name": "Backlog", "due_date": "2023-11-27", "board": "Front end"}`, `"00000300"`},
		{"project_management_delete_task", func(t *testing.T, st *state) {
			st.tasks = frame(t, `[{"task_id": "00000149", "task_name": "A task to delete"}]`)
		}, "project_management_delete_task", `{"task_id": "00000149"}`, `"Task deleted successfully."`},
		{"project_management_update_task", func(t *testing.T, st *state) {
			st.tasks = frame(t, `[{"task_id": "00000149", "task_name": "Some Task", "board": "Front end"}]`)
		}, "project_management_update_task", `{"task_id": "00000149", "field": "board", "new_value": "Design"}`, `"Task updated successfully."`},
		{"customer_relationship_manager_search_customers", func(t *testing.T, st *state) {
			st.crm = frame(t, `[
				{"customer_id": "00000052", "assigned_to_email": "raj.patel@atlas.com", "customer_name": "Jaden White", "customer_email": "jaden.white@protracefoods", "customer_phone": "724-857-2625", "last_contact_date": "2023-11-30 23:59:00", "product_interest": "Hardware", "status": "Won", "follow_up_by": "2023-12-13 23:59:00", "notes": "2023-10-17: Had a call. "},
				{"customer_id": "00000999", "customer_name": "Jane Doe"}]`)
		}, "customer_relationship_manager_search_customers", `{"customer_name": "Jaden White", "customer_email": "jaden.white@protracefoods", "product_interest": "Hardware", "status": "Won", "assigned_to_email": "raj.patel@atlas.com", "last_contact_date_min": "2023-11-30 23:59:00", "last_contact_date_max": "2023-11-30 23:59:00", "follow_up_by_min": "2023-12-13 23:5"}`,
			`{"customers":[{"customer_id":"00000052","assigned_to_email":"raj.patel@atlas.com","customer_name":"Jaden White","customer_email":"jaden.white@protracefoods","customer_phone":"724-857-2625","last_contact_date":"2023-11-30 23:59:00","product_interest":"Hardware","status":"Won","follow_up_by":"2023-12-13 23:59:00","notes":"2023-10-17: Had a call. "}],"pagination":{"total_customers":1,"page":1,"page_size":5,"total_pages":1}}`},
		{"customer_relationship_manager_update_customer", func(t *testing.T, st *state) {
			st.crm = frame(t, `[{"customer_id": "00000189", "customer_name": "old name"}]`)
		}, "customer_relationship_manager_update_customer", `{"customer_id": "00000189", "field": "customer_name", "new_value": "new customer"}`, `"Customer updated successfully."`},
		{"customer_relationship_manager_add_customer", func(t *testing.T, st *state) {
			st.crm = frame(t, `[{"customer_id": "00000199", "customer_name": "Max ID Customer"}]`)
		}, "customer_relationship_manager_add_customer", `{"customer_name": "Some customer", "product_interest": "Hardware", "status": "Won", "assigned_to_email": "raj.patel@atlas.com", "last_contact_date": "2023-11-30 23:59:00", "follow_up_by": "2023-12-13 23:59:00", "notes": "some notes"}`, `"00000200"`},
		{"customer_relationship_manager_delete_customer", func(t *testing.T, st *state) {
			st.crm = frame(t, `[{"customer_id": "00000189", "customer_name": "Customer to Delete"}]`)
		}, "customer_relationship_manager_delete_customer", `{"customer_id": "00000189"}`, `"Customer deleted successfully."`},
		{"extra_arguments_error_handling", func(t *testing.T, st *state) {
			st.emails = frame(t, `[{"email_id": "00000057", "sender/recipient": "carlos.rodriguez@atlas.com", "subject": "Task Update", "body": "Just an update."}]`)
		}, "email_get_email_information_by_id", `{"email_id": "00000057", "field": "subject", "useless_argument": "this should cause an error"}`,
			`"Error executing tool 'email_get_email_information_by_id': EmailTool.get_email_information_by_id() got an unexpected keyword argument 'useless_argument'"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := fresh(t)
			tc.mock(t, st)
			require.Equal(t, `{"output":`+tc.want+`}`, st.route(tc.tool, json.RawMessage(tc.args)))
		})
	}
}

// NeMo Gym's test_verify: deleting an email and then reading it, predicted
// and ground truth alike, end in the same state.
func TestNeMoGymVerifyCase(t *testing.T) {
	init := fresh(t)
	init.emails = frame(t, `[{"email_id": "00000057", "inbox/outbox": "inbox", "sender/recipient": "carlos.rodriguez@atlas.com", "subject": "Task Update on Develop prototype for report generation", "sent_datetime": "2023-11-29 10:00:00", "body": "Just an update."}]`)
	predicted := []Action{
		{Name: "email_delete_email", Arguments: `{"email_id":"00000146"}`},
		{Name: "email_get_email_information_by_id", Arguments: `{"email_id":"00000146","field":"email_id"}`},
	}
	truth := []Action{
		{Name: "email_delete_email", Arguments: `{"email_id": "00000146"}`},
		{Name: "email_get_email_information_by_id", Arguments: `{"email_id": "00000146", "field": "email_id"}`},
	}
	require.True(t, sameOutcome(init, predicted, truth))
	require.False(t, sameOutcome(init, []Action{{Name: "email_delete_email", Arguments: `{"email_id":"00000057"}`}}, truth))
}

// Row labels take part in the comparison, as in DataFrame.equals: a
// created event keeps label 0, a created task renumbers the frame.
func TestEqualComparesLabels(t *testing.T) {
	init := fresh(t)
	create := Action{Name: "calendar_create_event", Arguments: `{"event_name": "x", "participant_email": "a@b.c", "event_start": "2023-12-01 10:00:00", "duration": "30"}`}
	require.True(t, sameOutcome(init, []Action{create}, []Action{create}))
	st := replay(init, []Action{create})
	require.Equal(t, int64(0), st.calendar.index[len(st.calendar.index)-1])
	require.Equal(t, "00000300", st.calendar.rows[len(st.calendar.rows)-1][0])

	// Same rows, other labels: not equal.
	relabeled := *st.calendar
	relabeled.index = rangeIndex(len(relabeled.rows))
	require.False(t, equalLowered(st.calendar, &relabeled, caseSensitive))
	// NaN and None are both missing.
	a := &table{cols: []string{"x"}, index: []int64{0}, rows: [][]any{{nil}}}
	b := &table{cols: []string{"x"}, index: []int64{0}, rows: [][]any{{nan}}}
	require.True(t, equalLowered(a, b, nil))
	// A non-str cell lowers to NaN.
	c := &table{cols: []string{"x"}, index: []int64{0}, rows: [][]any{{int64(5)}}}
	require.True(t, equalLowered(b, c, nil))
	require.False(t, equalLowered(b, c, []string{"x"}))
}

// numpy's quicksort, as pandas' descending sort uses it: descending, and
// stable below 17 rows.
func TestNumpyArgsortDescending(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 16, 17, 40, 500} {
		keys := make([]int64, n)
		for i := range keys {
			keys[i] = int64((i * 7919) % 13) // many ties
		}
		order := npArgsortDescending(keys)
		require.Len(t, order, n)
		seen := map[int]bool{}
		for i, o := range order {
			require.False(t, seen[o])
			seen[o] = true
			if i > 0 {
				require.GreaterOrEqual(t, keys[order[i-1]], keys[o])
				if n <= 16 && keys[order[i-1]] == keys[o] {
					require.Less(t, order[i-1], o, "stable below 17 rows")
				}
			}
		}
	}
	// The heapsort fallback sorts too.
	v := []int64{5, 1, 4, 1, 5, 9, 2, 6}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	aheapsort(v, idx)
	for i := 1; i < len(idx); i++ {
		require.LessOrEqual(t, v[idx[i-1]], v[idx[i]])
	}
}

func TestPythonStrings(t *testing.T) {
	for in, want := range map[string]string{"ABC": "abc", "abc": "abc", "İx": "i\u0307x", "ΟΔΟΣ": "οδος", "ΣΑ": "σα", "Ünïcode": "ünïcode"} {
		require.Equal(t, want, lower(in), in)
	}
	require.Equal(t, []string{"a", "b", "c"}, split(" a\u00a0b\x1fc\n"))
	for v, want := range map[any]string{nil: "None", true: "True", int64(-3): "-3", 1.0: "1.0", 1e16: "1e+16", 1e-5: "1e-05", "it's": `"it's"`, "a\nb": `'a\nb'`} {
		require.Equal(t, want, pyRepr(v))
	}
	require.Equal(t, "[1, 'a', {'k': None}]", pyRepr([]any{int64(1), "a", &dict{keys: []string{"k"}, vals: []any{nil}}}))
	for f, want := range map[float64]string{1: "1.0", 100: "100.0", 15.76923076923077: "15.76923076923077", 1e16: "1e16", 1.5e16: "1.5e16", 1e-5: "0.00001", 1.2e-7: "1.2e-7", -0.5: "-0.5", 123456789012345680: "1.2345678901234568e17"} {
		require.Equal(t, want, string(appendRyu(nil, f)), "%v", f)
	}
	require.Equal(t, `"<a> & \"b\"\n\u0001é"`, string(appendString(nil, "<a> & \"b\"\n\x01é")))
	for s, want := range map[string]int64{"42": 42, " -7 ": -7, "1_000": 1000, "٣": 3} {
		n, err := pyInt(s)
		require.NoError(t, err)
		require.Equal(t, want, n, s)
	}
	for _, s := range []string{"", "4.5", "_1", "1__0", "x"} {
		_, err := pyInt(s)
		require.EqualError(t, err, "invalid literal for int() with base 10: "+pyrepr.Str(s))
	}
}

func TestTimestamps(t *testing.T) {
	for in, want := range map[string]string{
		"2023-11-30":                 "2023-11-30T00:00:00",
		"2023-11-30 23:59:00":        "2023-11-30T23:59:00",
		"2023-11-30T09:05":           "2023-11-30T09:05:00",
		"2023-1-2 3:04":              "2023-01-02T03:04:00",
		"20231130":                   "2023-11-30T00:00:00",
		"2023/11/30":                 "2023-11-30T00:00:00",
		"2023-11":                    "2023-11-01T00:00:00",
		"2023":                       "2023-01-01T00:00:00",
		"11/30/2023":                 "2023-11-30T00:00:00",
		"30/11/2023":                 "2023-11-30T00:00:00",
		"11/2023":                    "2023-11-01T00:00:00",
		"Nov 30, 2023":               "2023-11-30T00:00:00",
		"Thursday, November 30 2023": "2023-11-30T00:00:00",
		"30 November 2023 5pm":       "2023-11-30T17:00:00",
		"December 4th, 2023 10:30am": "2023-12-04T10:30:00",
		" 2023-11-30 ":               "2023-11-30T00:00:00",
	} {
		st, err := parseStamp(in)
		require.NoError(t, err, in)
		require.Equal(t, want, st.wall.Format("2006-01-02T15:04:05"), in)
		require.False(t, st.aware, in)
	}
	st, err := parseStamp("2023-11-30T10:00:00+05:30")
	require.NoError(t, err)
	require.True(t, st.aware)
	require.Equal(t, "2023-11-30T04:30:00", st.instant().Format("2006-01-02T15:04:05"))
	for in, want := range map[string]string{
		"soon":       "Unknown datetime string format, unable to parse: soon",
		"5":          `Given date string "5" not likely a datetime`,
		"2023-02-30": "day is out of range for month: 2023-02-30",
		"2023-13-13": "month must be in 1..12: 2023-13-13",
		"2007/100/1": "Unknown datetime string format, unable to parse: 2007/100/1",
		"13/13/2023": "Invalid date specified (13/13)",
	} {
		_, err := parseStamp(in)
		require.EqualError(t, err, want, in)
	}
	_, err = toStamp(true)
	require.EqualError(t, err, "Cannot convert input [True] of type <class 'bool'> to Timestamp")
	nat, err := toStamp(nil)
	require.NoError(t, err)
	_, ok, err := nat.compare(st)
	require.NoError(t, err)
	require.False(t, ok)
	naive, _ := parseStamp("2023-11-30")
	_, _, err = naive.compare(st)
	require.EqualError(t, err, "Cannot compare tz-naive and tz-aware timestamps")
}

// Python's re syntax and errors, on regexp2.
func TestPatterns(t *testing.T) {
	for _, tc := range []struct {
		pat, text string
		match     bool
	}{
		{"sync up", "Team SYNC UP", true},
		{"c++", "C and c", true}, // possessive: c+
		{"^a+b", "aab", true},
		{`\d{2,}`, "a12", true},
		{`x{,2}y`, "xxy", true},
		{`a{`, "a{", true}, // not a repeat: literal
		{`end\Z`, "the end", true},
		{`(?P<w>o)(?P=w)`, "foo", true},
		{`(?i:ab)c`, "ABc", true},
		{`(?#note)x`, "x", true},
		{`[]x]`, "]", true},
		{`[^a-c]`, "abc", false},
		{`a.c`, "a\nc", false},
		{`colou?r`, "COLOR", true},
	} {
		p, err := compilePattern(tc.pat)
		require.NoError(t, err, tc.pat)
		ok, err := p.search(tc.text)
		require.NoError(t, err)
		require.Equal(t, tc.match, ok, "%q on %q", tc.pat, tc.text)
	}
	for pat, want := range map[string]string{
		"(a":     "missing ), unterminated subpattern at position 0",
		"a)":     "unbalanced parenthesis at position 1",
		"*a":     "nothing to repeat at position 0",
		"a|+":    "nothing to repeat at position 2",
		"a**":    "multiple repeat at position 2",
		"a+++":   "multiple repeat at position 3",
		"[ab":    "unterminated character set at position 0",
		`ab\`:    "bad escape (end of pattern) at position 2",
		`\q`:     `bad escape \q at position 0`,
		`\p{L}`:  `bad escape \p at position 0`,
		"x{3,1}": "min repeat greater than max repeat at position 2",
	} {
		_, err := compilePattern(pat)
		require.EqualError(t, err, want, pat)
	}
}
