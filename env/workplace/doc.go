// Package workplace is NeMo Gym's workplace_assistant environment: a
// multi-step tool-use environment over a small company's email, calendar,
// web analytics, project board and CRM, with NeMo Gym's 27 tools and its
// state-comparison reward.
//
//	srv, v, err := workplace.New(workplace.Config{})
//	...
//	reg.Register("workplace_assistant_simple_agent", gym.Environment{
//		Model: policy, Resources: srv, Verifier: v, MaxSteps: 6,
//	})
//
// In a config, the implementation name is workplace_assistant (Name), and
// NeMo Gym's configs/workplace_assistant.yaml loads unchanged through
// bundled.Implementations.
//
// # State
//
// The initial state is NeMo Gym's csv_data (embedded, with its Apache-2.0
// notice in data/NOTICE). Every session starts from it and owns its
// changes: tables are never changed in place, so seeding copies no rows and
// a tool that changes a table copies only the row pointers of that table.
//
// # Tools
//
// The tools are NeMo Gym's Python methods over pandas DataFrames,
// reproduced with their Python and pandas semantics for any JSON argument:
// the names, descriptions and (non-strict) schemas of the dataset rows;
// arguments passed as keyword arguments with nulls dropped; an unexpected
// argument answered with Python's TypeError text ("Error executing tool
// 'x': EmailTool.search_emails() got an unexpected keyword argument
// 'y'"); results sent as FastAPI sends them, {"output": ...} in compact
// JSON with NaN as null; the tools' own error strings word for word.
//
// # Reward
//
// The verifier replays the episode's function calls and the row's
// ground_truth on two fresh workplaces and rewards 1.0 iff they end in
// the same state (calendar, emails, plots, tasks, customers), strings
// compared case-insensitively except status, list_name and board, row
// labels included, as DataFrame.equals compares them. The session's own
// state plays no part, as in NeMo Gym.
//
// # NeMo Gym's quirks, reproduced
//
//   - Search arguments of str.contains are regular expressions, matched
//     case-insensitively: "C++" is a possessive repeat (Python 3.11+), and
//     "C+++" or "(urgent" answer with Python's re.error text.
//   - A search over a column holding a missing value (a customer added
//     without an email, say) fails with pandas' "Cannot mask with
//     non-boolean array containing NA / NaN values".
//   - analytics_get_average_session_duration without a time bound turns
//     the session's session_duration_seconds column into floats, which
//     analytics_get_visitor_information_by_id then shows (4.0, not "4").
//   - A sent email's id is not zero-filled ("500"), and it is dated
//     2023-11-30 23:59:00; calendar_create_event keeps the new row's own
//     row label 0, which the reward compares.
//   - The reward replays ground truth and predicted calls with their null
//     arguments (the tool route drops them), so add_customer with
//     "notes": null is not add_customer without notes.
//   - Analytics time bounds are compared as strings with date_of_visit.
//   - email_search_emails sorts with numpy's (unstable) quicksort, as
//     pandas does, so emails sent in one episode (all dated 2023-11-30
//     23:59:00) come out in numpy's order; calendar_search_events sorts
//     with Python's stable sort.
//
// # Known differences
//
//   - pd.Timestamp parses everything dateutil does; here ISO 8601 and the
//     common month-name and M/D/Y forms are read, and anything else is
//     "Unknown datetime string format, unable to parse: ...".
//   - Regular expressions run on regexp2, a .NET-syntax engine, after
//     translation from Python syntax; exotic Python constructs may be
//     read differently, and a pattern running over 2 s is an error.
//   - Python's json.loads reads NaN and Infinity in arguments; here they
//     are invalid JSON. Integers beyond int64 are read as floats.
//   - A model calling a "tool" named verify or aggregate_metrics reaches
//     those routes of NeMo Gym's server (a validation error); here it is
//     an unknown tool. seed_session starts the session over, as there.
//   - Arguments that are valid JSON but not an object are answered with
//     FastAPI's 422 body here; gym's agent reports them itself before
//     calling the tool.
//   - Lower-casing uses Go's Unicode tables plus Python's special cases
//     (İ, final sigma); other full case mappings of Python's str.lower
//     are not applied.
//   - A column that, after deletions and additions, holds no string at all
//     is compared as pandas compares object columns (pandas would change
//     its dtype or raise in the lower-casing).
package workplace
