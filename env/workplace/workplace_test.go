package workplace_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/env/workplace"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/clitest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

const agentName = "workplace_assistant_simple_agent"

func environment(m model.Model) gym.Environment {
	srv, v, err := workplace.New(workplace.Config{})
	if err != nil {
		panic(err)
	}
	return gym.Environment{Model: m, Resources: srv, Verifier: v, MaxSteps: 6}
}

// referenceTruth is the task data NeMo Gym's recorded rollouts lack (the
// rollouts keep only responses_create_params, and their prompts are not
// in example.jsonl): a ground truth for each prompt, written from the
// prompt and the workplace's data. Each recorded reward follows from it:
// the plot the model made ends in 2024-06-30, not today; no customer
// matches the consulting proposals of the second prompt, so the truth
// changes nothing; the other three do what the model did.
var referenceTruth = map[string]struct {
	category string
	truth    []workplace.Action
}{
	"Create a bar chart of total visits since November 30": {"workplace_assistant_analytics", []workplace.Action{
		{Name: "analytics_create_plot", Arguments: `{"time_min": "2023-11-30", "time_max": "2023-11-30", "value_to_plot": "total_visits", "plot_type": "bar"}`},
	}},
	"We need to move all customers that haven't responded to a proposal for the consulting product in 3 weeks to lost. Can you update the CRM?": {
		"workplace_assistant_customer_relationship_manager", []workplace.Action{}},
	"Delete Casey Wilson from the crm": {"workplace_assistant_customer_relationship_manager", []workplace.Action{
		{Name: "customer_relationship_manager_delete_customer", Arguments: `{"customer_id": "00000014"}`},
	}},
	"Add Dakota Thomas as a new lead in the crm and assign them to Nadia": {"workplace_assistant_customer_relationship_manager", []workplace.Action{
		{Name: "customer_relationship_manager_add_customer", Arguments: `{"customer_name": "Dakota Thomas", "assigned_to_email": "nadia.moreau@atlas.com", "status": "Lead"}`},
	}},
	"Delete my last email from kofi": {"workplace_assistant_email", []workplace.Action{
		{Name: "email_delete_email", Arguments: `{"email_id": "00000259"}`},
	}},
}

func lastUser(t testing.TB, task rollout.Task) string {
	t.Helper()
	p, err := task.Params()
	require.NoError(t, err)
	items, err := p.Input()
	require.NoError(t, err)
	user := ""
	for _, it := range items {
		if it.Role() == "user" {
			user = it.Text()
		}
	}
	return user
}

// referenceDataset writes the dataset the reference rollouts restore their
// task fields from: each recorded input with its ground truth.
func referenceDataset(t *testing.T) (rollouts, dataset string) { return referenceDatasetB(t) }

func referenceDatasetB(t testing.TB) (rollouts, dataset string) {
	rollouts = reftest.Path(t, "resources_servers", "workplace_assistant", "data", "example_rollouts.jsonl")
	f, err := os.Open(rollouts)
	require.NoError(t, err)
	defer f.Close()
	var out bytes.Buffer
	n := 0
	for rec, err := range rollout.ReadResults(f, rollouts) {
		require.NoError(t, err)
		user := lastUser(t, rec.Task)
		gt, ok := referenceTruth[user]
		require.True(t, ok, "no ground truth for %q", user)
		params, _ := rec.Task.Get(rollout.KeyCreateParams)
		var p map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(params, &p))
		row := map[string]any{
			"responses_create_params": map[string]json.RawMessage{"input": p["input"]},
			"ground_truth":            gt.truth,
			"id":                      n,
			"category":                gt.category,
			"environment_name":        "workplace_assistant",
		}
		b, err := json.Marshal(row)
		require.NoError(t, err)
		out.Write(append(b, '\n'))
		n++
	}
	require.Equal(t, 5, n)
	dataset = filepath.Join(t.TempDir(), "reference_truth.jsonl")
	require.NoError(t, os.WriteFile(dataset, out.Bytes(), 0o644))
	return rollouts, dataset
}

// TestReplayReference replays the rollouts NeMo Gym recorded with a real
// model: every tool output is byte-equal to the recorded one, and the
// reward is the recorded one.
func TestReplayReference(t *testing.T) {
	rollouts, dataset := referenceDataset(t)
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    rollouts,
		Dataset:     dataset,
		Environment: environment,
		Fields:      []string{"reward"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// TestReplayDetectsDifferences proves the replay can fail: a wrong ground
// truth changes the reward, and the check reports it.
func TestReplayDetectsDifferences(t *testing.T) {
	rollouts, dataset := referenceDataset(t)
	data, err := os.ReadFile(dataset)
	require.NoError(t, err)
	wrong := strings.Replace(string(data), `00000014`, `00000015`, 1)
	require.NoError(t, os.WriteFile(dataset, []byte(wrong), 0o644))
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts: rollouts, Dataset: dataset, Environment: environment, Fields: []string{"reward"},
	})
	require.NoError(t, err)
	require.Equal(t, []string{rollouts + ` row 3: field "reward" is 0.0, recorded 1.0`}, diffs)
}

// TestConfigLoads builds NeMo Gym's config, unchanged, and the project's own.
func TestConfigLoads(t *testing.T) {
	for _, path := range []string{
		reftest.Path(t, "resources_servers", "workplace_assistant", "configs", "workplace_assistant.yaml"),
		abs(t, filepath.Join("..", "..", "bundled", "configs", "resources_servers", "workplace_assistant", "configs", "workplace_assistant.yaml")),
	} {
		model := reftest.Path(t, "responses_api_models", "openai_model", "configs", "openai_model.yaml")
		cfg, err := config.Loader{Paths: []string{path, model}, WorkDir: t.TempDir(),
			Overrides: []string{"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"}}.Load()
		require.NoError(t, err, path)
		reg, err := bundled.Implementations().Registry(cfg)
		require.NoError(t, err, path)
		e, err := reg.Environment(agentName)
		require.NoError(t, err, path)
		require.Equal(t, 6, e.MaxSteps, path)
		_, isWorkplace := e.Resources.(*workplace.Server)
		require.True(t, isWorkplace, "%s: resources are %T", path, e.Resources)
	}
}

// scripted plays the ground truth of each row of a dataset, one call per
// turn, then answers.
func scripted(t *testing.T, rows []rollout.Task) model.Model {
	byUser := map[string][]workplace.Action{}
	for _, r := range rows {
		acts, err := workplace.TaskActions(r)
		require.NoError(t, err)
		byUser[lastUser(t, r)] = acts
	}
	return model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		user, calls := "", 0
		for _, it := range req.Input {
			switch {
			case it.Type() == rollout.TypeMessage && it.Role() == "user":
				user = it.Text()
			case it.Type() == rollout.TypeFunctionCall:
				calls++
			}
		}
		acts := byUser[user]
		if calls < len(acts) {
			a := acts[calls]
			return model.NewResponse(rollout.NewFunctionCall(fmt.Sprintf("call_%d", calls), a.Name, a.Arguments)), nil
		}
		return model.NewResponse(rollout.NewOutputMessage("msg_done", "Done.")), nil
	})
}

func ownRows(t *testing.T) []rollout.Task {
	var rows []rollout.Task
	for r, err := range rollout.ReadTasksFile(filepath.Join("..", "..", "testdata", "workplace_assistant", "example.jsonl")) {
		require.NoError(t, err)
		rows = append(rows, r)
	}
	require.NotEmpty(t, rows)
	return rows
}

func abs(t *testing.T, path string) string {
	p, err := filepath.Abs(path)
	require.NoError(t, err)
	return p
}

func TestCheck(t *testing.T) {
	rows := ownRows(t)
	for i := range rows {
		rows[i].Delete(rollout.KeyAgentRef) // Check registers the environment under its own name
	}
	e := environment(nil)
	require.Empty(t, gymtest.Check(context.Background(), e, scripted(t, rows), rows))
}

// The scripted policy solves every row of the project's dataset, and a
// policy that does nothing fails the rows that change the workplace.
func TestOwnDataset(t *testing.T) {
	rows := ownRows(t)
	for _, tc := range []struct {
		policy model.Model
		want   func(acts []workplace.Action) float64
	}{
		{scripted(t, rows), func([]workplace.Action) float64 { return 1 }},
		{scripted(t, nil), func(acts []workplace.Action) float64 {
			if len(acts) == 0 {
				return 1
			}
			return 0
		}},
	} {
		var reg gym.Registry
		require.NoError(t, reg.Register(agentName, environment(tc.policy)))
		c := gym.Collector{Registry: &reg}
		n := 0
		for res, err := range c.Collect(context.Background(), gym.FromSlice(rows)) {
			require.NoError(t, err)
			require.NoError(t, res.Err)
			acts, err := workplace.TaskActions(res.Task)
			require.NoError(t, err)
			require.Equal(t, tc.want(acts), res.Reward, "row %d", res.TaskIndex)
			n++
		}
		require.Equal(t, len(rows), n)
	}
}

// gym reverify with NeMo Gym's config, unchanged, re-scores the recorded
// rollouts with their recorded rewards.
func TestReverifyCLI(t *testing.T) {
	rollouts, dataset := referenceDataset(t)
	cfgPath := reftest.Path(t, "resources_servers", "workplace_assistant", "configs", "workplace_assistant.yaml")
	model := reftest.Path(t, "responses_api_models", "openai_model", "configs", "openai_model.yaml")
	dir := t.TempDir()
	stdout := clitest.Run(t, dir, "reverify", "--config", cfgPath+","+model, "--agent", agentName,
		"--input", rollouts, "--dataset", dataset, "--output", "reverified.jsonl",
		"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m")
	require.Contains(t, stdout, "reverified 5 rows: 0 rewards changed, 0 failed")
	f, err := os.Open(filepath.Join(dir, "reverified.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	want := map[string]float64{}
	for user := range referenceTruth {
		want[user] = 1
	}
	want["Create a bar chart of total visits since November 30"] = 0
	got := map[string]float64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		task, err := rollout.ParseTask(sc.Bytes())
		require.NoError(t, err)
		require.True(t, task.Has("ground_truth"), "task fields survive")
		var reward float64
		require.NoError(t, task.Decode("reward", &reward))
		got[lastUser(t, task)] = reward
	}
	require.NoError(t, sc.Err())
	require.Equal(t, want, got)
}

func verify(t *testing.T, task string, output ...rollout.Item) (*verifier.Verdict, error) {
	t.Helper()
	tk, err := rollout.ParseTask([]byte(task))
	require.NoError(t, err)
	_, v, err := workplace.New(workplace.Config{})
	require.NoError(t, err)
	return verifier.Run(context.Background(), v, &verifier.Request{Task: tk, Response: &rollout.Response{Output: output}})
}

// A row without a field the verifier needs is an invalid row naming it.
func TestVerifyBadRows(t *testing.T) {
	for _, tc := range []struct{ row, want string }{
		{`{"responses_create_params":{"input":"x"},"id":1,"category":"c","environment_name":"e"}`, `no "ground_truth" field`},
		{`{"responses_create_params":{"input":"x"},"ground_truth":[],"category":"c","environment_name":"e"}`, `no "id" field`},
		{`{"responses_create_params":{"input":"x"},"ground_truth":[],"id":1,"environment_name":"e"}`, `no "category" field`},
		{`{"responses_create_params":{"input":"x"},"ground_truth":[],"id":1,"category":"c"}`, `no "environment_name" field`},
		{`{"responses_create_params":{"input":"x"},"ground_truth":[],"id":"one","category":"c","environment_name":"e"}`, `"id" is not an integer`},
		{`{"responses_create_params":{"input":"x"},"ground_truth":[{"name":1}],"id":1,"category":"c","environment_name":"e"}`, `"ground_truth" is neither`},
		{`{"responses_create_params":{"input":"x"},"ground_truth":42,"id":1,"category":"c","environment_name":"e"}`, `"ground_truth" is neither`},
	} {
		_, err := verify(t, tc.row)
		require.Error(t, err, tc.row)
		f := rollout.AsFailure(err)
		require.Equal(t, rollout.FailInvalidRow, f.Class, tc.row)
		require.Contains(t, err.Error(), tc.want)
	}
}

// Ground truths and predictions NeMo Gym cannot replay are skipped, not
// failures.
func TestVerifySkipsBadActions(t *testing.T) {
	row := `{"responses_create_params":{"input":"x"},"ground_truth":%s,"id":"7","category":"c","environment_name":"e"}`
	for _, tc := range []struct {
		truth string
		calls []rollout.Item
		want  float64
	}{
		{`"not a list"`, nil, 1},
		{`[]`, []rollout.Item{rollout.NewFunctionCall("c1", "no_such_tool", `{}`)}, 1},
		{`[]`, []rollout.Item{rollout.NewFunctionCall("c1", "email_delete_email", `{not json`)}, 1},
		{`[]`, []rollout.Item{rollout.NewFunctionCall("c1", "email_delete_email", `["00000373"]`)}, 1},
		{`[]`, []rollout.Item{rollout.NewFunctionCall("c1", "email_delete_email", `{"email_id": "00000373", "x": 1}`)}, 1},
		{`[]`, []rollout.Item{rollout.NewFunctionCall("c1", "email_delete_email", `{"email_id": "00000373"}`)}, 0},
		{`[{"name": "email_delete_email"}]`, nil, 1},
		{`[{"name": "email_delete_email", "arguments": "{\"email_id\": \"00000373\"}"}]`, []rollout.Item{
			rollout.NewFunctionCall("c1", "email_delete_email", `{"email_id":"00000373"}`)}, 1},
		// Case does not matter, except in status, list_name and board.
		{`[{"name": "customer_relationship_manager_update_customer", "arguments": "{\"customer_id\": \"00000107\", \"field\": \"customer_name\", \"new_value\": \"Quinn HARRIS\"}"}]`, nil, 1},
		{`[{"name": "customer_relationship_manager_update_customer", "arguments": "{\"customer_id\": \"00000107\", \"field\": \"notes\", \"new_value\": \"x\"}"}]`, []rollout.Item{
			rollout.NewFunctionCall("c1", "customer_relationship_manager_update_customer", `{"customer_id": "00000107", "field": "notes", "new_value": "X"}`)}, 1},
		{`[{"name": "project_management_create_task", "arguments": "{\"task_name\": \"a\", \"assigned_to_email\": \"leila.azizi@atlas.com\", \"list_name\": \"Backlog\", \"due_date\": \"2023-12-01\", \"board\": \"Design\"}"}]`, []rollout.Item{
			rollout.NewFunctionCall("c1", "project_management_create_task", `{"task_name": "A", "assigned_to_email": "LEILA.AZIZI@atlas.com", "list_name": "Backlog", "due_date": "2023-12-01", "board": "Design"}`)}, 1},
		// Nulls are passed in the replay: notes=None is not notes="".
		{`[{"name": "customer_relationship_manager_add_customer", "arguments": "{\"customer_name\": \"A\", \"assigned_to_email\": \"raj.patel@atlas.com\", \"status\": \"Lead\"}"}]`, []rollout.Item{
			rollout.NewFunctionCall("c1", "customer_relationship_manager_add_customer", `{"customer_name": "A", "assigned_to_email": "raj.patel@atlas.com", "status": "Lead", "notes": null}`)}, 0},
	} {
		v, err := verify(t, fmt.Sprintf(row, tc.truth), tc.calls...)
		require.NoError(t, err, tc.truth)
		require.Equal(t, tc.want, v.Reward, "%s %v", tc.truth, tc.calls)
	}
	// Status is compared with its case.
	v, err := verify(t, fmt.Sprintf(row, `[{"name": "customer_relationship_manager_update_customer", "arguments": "{\"customer_id\": \"00000107\", \"field\": \"status\", \"new_value\": \"Won\"}"}]`),
		rollout.NewFunctionCall("c1", "customer_relationship_manager_update_customer", `{"customer_id": "00000107", "field": "status", "new_value": "Won"}`))
	require.NoError(t, err)
	require.Equal(t, 1.0, v.Reward)
	// The id comes back as pydantic read it: "7" is 7.
	raw, ok := v.Fields.Get("id")
	require.True(t, ok)
	require.Equal(t, "7", string(raw))
	v, err = verify(t, `{"responses_create_params":{"input":"x"},"ground_truth":[],"id":7,"category":"c","environment_name":"e"}`)
	require.NoError(t, err)
	require.False(t, v.Fields.Has("id"), "an int id is left as it is")
}

// Bad arguments are observations for the model, as NeMo Gym returns them.
func TestBadArguments(t *testing.T) {
	srv, _, err := workplace.New(workplace.Config{})
	require.NoError(t, err)
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	defer sess.Close()
	for _, tc := range []struct{ tool, args, want string }{
		{"email_get_email_information_by_id", `{"email_id": "00000057", "field": "subject", "useless_argument": "x"}`,
			`{"output":"Error executing tool 'email_get_email_information_by_id': EmailTool.get_email_information_by_id() got an unexpected keyword argument 'useless_argument'"}`},
		{"no_such_tool", `{}`, `{"output":"Error executing tool 'no_such_tool': 'no_such_tool'"}`},
		{"email_delete_email", `[1, 2]`, `{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[1,2]}]}`},
		{"email_delete_email", `null`, `{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`},
		{"email_delete_email", `{"email_id": null}`, `{"output":"Email ID not provided."}`},
		{"company_directory_find_email_address", `{"name": 7}`, `{"output":"Error executing tool 'company_directory_find_email_address': 'int' object has no attribute 'lower'"}`},
		{"company_directory_find_email_address", `{"name": "(nadia"}`, `{"output":"Error executing tool 'company_directory_find_email_address': missing ), unterminated subpattern at position 0"}`},
		{"company_directory_find_email_address", `{"name": "*"}`, `{"output":"Error executing tool 'company_directory_find_email_address': nothing to repeat at position 0"}`},
		{"company_directory_find_email_address", `{"name": "na.ia"}`, `{"output":["nadia.moreau@atlas.com"]}`},
		{"company_directory_find_email_address", `{}`, `{"output":"Name not provided."}`},
		{"email_search_emails", `{"query": "kofi", "page_size": 0}`, `{"output":"Error searching emails: integer division or modulo by zero"}`},
		{"email_search_emails", `{"query": "kofi", "page": "2"}`, `{"output":"Error searching emails: '<' not supported between instances of 'int' and 'str'"}`},
		{"email_search_emails", `{"query": "zzzz"}`, `{"output":"No emails found."}`},
		{"email_search_emails", `{"query": "kofi", "date_min": "soon"}`, `{"output":"Error searching emails: Unknown datetime string format, unable to parse: soon"}`},
		{"email_send_email", `{"recipient": 5, "subject": "s", "body": "b"}`, `{"output":"Error executing tool 'email_send_email': argument of type 'int' is not iterable"}`},
		{"email_send_email", `{"recipient": "nobody", "subject": "s", "body": "b"}`, `{"output":"Invalid recipient email address."}`},
		{"calendar_search_events", `{"query": "sync", "time_min": "later"}`, `{"output":"Invalid time_min format. Expected YYYY-MM-DD HH:MM:SS."}`},
		{"calendar_search_events", `{"query": "sync", "time_min": [1]}`, `{"output":"Error executing tool 'calendar_search_events': Cannot convert input [[1]] of type <class 'list'> to Timestamp"}`},
		{"calendar_search_events", `{"query": "sync", "time_min": "2023-12-01T00:00:00Z"}`, `{"output":"Error executing tool 'calendar_search_events': Cannot compare tz-naive and tz-aware timestamps"}`},
		{"calendar_create_event", `{"event_name": "x", "participant_email": "a@b.c", "event_start": "2023-12-01 10:00:00", "duration": "ten"}`, `{"output":"Invalid duration format. Expected a number of minutes."}`},
		{"calendar_create_event", `{"event_name": "x", "participant_email": "a@b.c", "event_start": "2023-12-01 10:00:00", "duration": "-5"}`, `{"output":"Duration must be a positive number of minutes."}`},
		{"calendar_create_event", `{"event_name": "x", "participant_email": "a@b.c", "event_start": "2023-12-01 10:00:00", "duration": 1e999}`, `{"output":"Error executing tool 'calendar_create_event': cannot convert float infinity to integer"}`},
		{"customer_relationship_manager_update_customer", `{"customer_id": "00000107", "field": "notes", "new_value": ["a", "b"]}`,
			`{"output":"Error executing tool 'customer_relationship_manager_update_customer': shape mismatch: value array of shape (2,) could not be broadcast to indexing result of shape (1,)"}`},
		{"calendar_delete_event", `{"event_id": "13"}`, `{"output":"Invalid event ID format. Expected 8-digit ID."}`},
		{"calendar_update_event", `{"event_id": "00000013", "field": "color", "new_value": "red"}`, `{"output":"Invalid field. Available fields are: event_name, participant_email, event_start, duration"}`},
		{"analytics_total_visits_count", `{"time_min": 5}`, `{"output":"Error executing tool 'analytics_total_visits_count': '>=' not supported between instances of 'str' and 'int'"}`},
		{"analytics_create_plot", `{"time_min": "a", "time_max": "b", "value_to_plot": "pies", "plot_type": "bar"}`,
			`{"output":"Value to plot must be one of 'total_visits', 'session_duration_seconds', 'user_engaged', 'visits_direct', 'visits_referral', 'visits_search_engine', 'visits_social_media'"}`},
		{"project_management_search_tasks", `{"assigned_to_email": "leila"}`, `{"output":"Invalid email format for assigned_to_email."}`},
		{"project_management_search_tasks", `{}`, `{"output":"No search parameters provided."}`},
		{"project_management_search_tasks", `{"task_name": "(?:carousel|Login)$", "assigned_to_email": "Leila.Azizi@atlas.com", "board": "front"}`, `{"output":[{"task_id":"00000149","task_name":"Add animation to carousel","assigned_to_email":"leila.azizi@atlas.com","list_name":"Backlog","due_date":"2023-11-27","board":"Front end"}]}`},
		{"project_management_search_tasks", `{"task_name": "C+++"}`, `{"output":"Error executing tool 'project_management_search_tasks': multiple repeat at position 3"}`},
		{"project_management_update_task", `{"task_id": "00000149", "field": "board", "new_value": "Kitchen"}`, `{"output":"Board not valid. Please choose from: 'Back end', 'Front end', 'Design'."}`},
		{"project_management_update_task", `{"task_id": "00000149", "field": "colour", "new_value": "red"}`, `{"output":"Field not valid."}`},
		{"project_management_update_task", `{"task_id": "00000149", "field": ["board"], "new_value": "Design"}`, `{"output":"Error executing tool 'project_management_update_task': unhashable type: 'list'"}`},
		{"customer_relationship_manager_search_customers", `{}`, `{"output":"No search parameters provided. Please provide at least one parameter."}`},
		{"customer_relationship_manager_search_customers", `{"status": "Won", "page_size": 0}`, `{"output":"Error executing tool 'customer_relationship_manager_search_customers': integer division or modulo by zero"}`},
		{"customer_relationship_manager_update_customer", `{"customer_id": "00000107", "field": "status", "new_value": "won"}`,
			`{"output":"Status not valid. Please choose from: 'Qualified', 'Won', 'Lost', 'Lead', 'Proposal'"}`},
		{"customer_relationship_manager_add_customer", `{"customer_name": "A"}`, `{"output":"Please provide all required fields: customer_name, assigned_to_email, status."}`},
		{"customer_relationship_manager_delete_customer", `{"customer_id": 14}`, `{"output":"Customer not found."}`},
	} {
		out, err := sess.CallTool(context.Background(), tc.tool, json.RawMessage(tc.args))
		require.NoError(t, err, tc.tool+" "+tc.args)
		require.Equal(t, tc.want, out, tc.tool+" "+tc.args)
	}
}

// A session's changes are its own, and later calls see them.
func TestSessionsAreIndependent(t *testing.T) {
	srv, _, err := workplace.New(workplace.Config{})
	require.NoError(t, err)
	ctx := context.Background()
	a, err := srv.Seed(ctx, rollout.Task{})
	require.NoError(t, err)
	b, err := srv.Seed(ctx, rollout.Task{})
	require.NoError(t, err)
	call := func(s interface {
		CallTool(context.Context, string, json.RawMessage) (string, error)
	}, tool, args string) string {
		out, err := s.CallTool(ctx, tool, json.RawMessage(args))
		require.NoError(t, err)
		return out
	}
	require.Equal(t, `{"output":"Customer deleted successfully."}`, call(a, "customer_relationship_manager_delete_customer", `{"customer_id": "00000014"}`))
	require.Equal(t, `{"output":"Customer not found."}`, call(a, "customer_relationship_manager_delete_customer", `{"customer_id": "00000014"}`))
	require.Equal(t, `{"output":"Customer deleted successfully."}`, call(b, "customer_relationship_manager_delete_customer", `{"customer_id": "00000014"}`))

	// A customer added without an email makes a search by email fail, as
	// in pandas.
	require.Equal(t, `{"output":"00000200"}`, call(a, "customer_relationship_manager_add_customer", `{"customer_name": "Zed Quill", "assigned_to_email": "Nadia.Moreau@atlas.com", "status": "Lead"}`))
	require.Equal(t, `{"output":"Error executing tool 'customer_relationship_manager_search_customers': Cannot mask with non-boolean array containing NA / NaN values"}`,
		call(a, "customer_relationship_manager_search_customers", `{"customer_email": "quill"}`))
	require.Equal(t, `{"output":{"customers":[{"customer_id":"00000200","assigned_to_email":"nadia.moreau@atlas.com","customer_name":"Zed Quill","customer_email":null,"customer_phone":null,"last_contact_date":null,"product_interest":null,"status":"Lead","follow_up_by":null,"notes":""}],"pagination":{"total_customers":1,"page":1,"page_size":5,"total_pages":1}}}`,
		call(a, "customer_relationship_manager_search_customers", `{"customer_name": "zed"}`))

	// Sent emails get the next id, not zero-filled, and today's date.
	require.Equal(t, `{"output":"Email sent successfully."}`, call(b, "email_send_email", `{"recipient": "Kofi.Mensah@atlas.com", "subject": "Hi", "body": "Hello <Kofi> & \"team\"\n"}`))
	require.Equal(t, `{"output":{"emails":[{"email_id":"500","inbox/outbox":"outbox","sender/recipient":"kofi.mensah@atlas.com","subject":"Hi","sent_datetime":"2023-11-30 23:59:00","body":"Hello <Kofi> & \"team\"\n"}],"pagination":{"total_emails":27,"page":1,"page_size":1,"total_pages":27}}}`,
		call(b, "email_search_emails", `{"query": "kofi", "page_size": 1}`))

	// The average without bounds turns the session's durations into floats.
	require.Equal(t, `{"output":[{"date_of_visit":"2023-10-22","visitor_id":"0860","page_views":"8","session_duration_seconds":"4","traffic_source":"referral","user_engaged":false}]}`,
		call(a, "analytics_get_visitor_information_by_id", `{"visitor_id": "0860"}`))
	avg := call(a, "analytics_get_average_session_duration", `{}`)
	require.True(t, strings.HasPrefix(avg, `{"output":{"2023-09-01":`), avg)
	require.Equal(t, `{"output":[{"date_of_visit":"2023-10-22","visitor_id":"0860","page_views":"8","session_duration_seconds":4.0,"traffic_source":"referral","user_engaged":false}]}`,
		call(a, "analytics_get_visitor_information_by_id", `{"visitor_id": "0860"}`))
	require.Equal(t, `{"output":[{"date_of_visit":"2023-10-22","visitor_id":"0860","page_views":"8","session_duration_seconds":"4","traffic_source":"referral","user_engaged":false}]}`,
		call(b, "analytics_get_visitor_information_by_id", `{"visitor_id": "0860"}`))

	// seed_session starts over.
	require.Equal(t, `{}`, call(a, "seed_session", `{}`))
	require.Equal(t, `{"output":"Customer deleted successfully."}`, call(a, "customer_relationship_manager_delete_customer", `{"customer_id": "00000014"}`))
}

func TestToolsAreNeMoGyms(t *testing.T) {
	specs := workplace.Specs()
	require.Len(t, specs, 27)
	srv, _, err := workplace.New(workplace.Config{})
	require.NoError(t, err)
	require.Len(t, srv.Tools(), 27)
	// The rows of NeMo Gym's dataset offer exactly these tools.
	path := reftest.Path(t, "resources_servers", "workplace_assistant", "data", "example.jsonl")
	for row, err := range rollout.ReadTasksFile(path) {
		require.NoError(t, err)
		p, err := row.Params()
		require.NoError(t, err)
		tools, err := p.Tools()
		require.NoError(t, err)
		require.Len(t, tools, len(specs))
		for i, tl := range tools {
			want, _ := json.Marshal(specs[i])
			got, _ := json.Marshal(tl)
			require.JSONEq(t, string(want), string(got))
		}
	}
}

func Example() {
	srv, v, _ := workplace.New(workplace.Config{})
	ctx := context.Background()
	sess, _ := srv.Seed(ctx, rollout.Task{})
	defer sess.Close()
	out, _ := sess.CallTool(ctx, "company_directory_find_email_address", json.RawMessage(`{"name": "nadia"}`))
	fmt.Println(out)
	out, _ = sess.CallTool(ctx, "calendar_get_event_information_by_id", json.RawMessage(`{"event_id": "00000013", "field": "event_name"}`))
	fmt.Println(out)

	task, _ := rollout.ParseTask([]byte(`{"responses_create_params": {"input": "Delete email 00000373"},
		"ground_truth": [{"name": "email_delete_email", "arguments": "{\"email_id\": \"00000373\"}"}],
		"id": 0, "category": "workplace_assistant_email", "environment_name": "workplace_assistant"}`))
	verdict, _ := v.Verify(ctx, &verifier.Request{Task: task, Response: &rollout.Response{Output: []rollout.Item{
		rollout.NewFunctionCall("call_1", "email_delete_email", `{"email_id": "00000373"}`),
	}}})
	fmt.Println(verdict.Reward)
	// Output:
	// {"output":["nadia.moreau@atlas.com"]}
	// {"output":{"event_name":"sync up"}}
	// 1
}

var update = flag.Bool("update", false, "rewrite testdata/workplace_assistant/example_rollouts.jsonl")

// The project's example rollouts are the scripted policy's episodes on the
// project's dataset (go test -run TestExampleRollouts -update writes them);
// replaying them reproduces every tool output and reward.
func TestExampleRollouts(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "workplace_assistant", "example_rollouts.jsonl")
	if *update {
		rows := ownRows(t)
		var reg gym.Registry
		require.NoError(t, reg.Register(agentName, environment(scripted(t, rows))))
		var out bytes.Buffer
		c := gym.Collector{Registry: &reg, Concurrency: 1, Output: &out}
		for res, err := range c.Collect(context.Background(), gym.FromSlice(rows)) {
			require.NoError(t, err)
			require.NoError(t, res.Err)
		}
		require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
	}
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts: path, Environment: environment, Fields: []string{"reward"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// Served over NeMo Gym's HTTP protocol, the environment answers a NeMo Gym
// agent (here env.Remote) with the same bytes, and verifies remotely.
func TestOverHTTP(t *testing.T) {
	rollouts, dataset := referenceDataset(t)
	srv, v, err := workplace.New(workplace.Config{})
	require.NoError(t, err)
	h := env.NewHandler(srv, v)
	defer h.Close()
	ts := httptest.NewServer(h)
	defer ts.Close()
	remote := env.NewRemote(ts.URL)
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts: rollouts, Dataset: dataset, Fields: []string{"reward"},
		Environment: func(m model.Model) gym.Environment {
			return gym.Environment{Model: m, Resources: remote, Verifier: remote.Verifier(), MaxSteps: 6}
		},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// Collected from a file, a row without ground_truth fails as an invalid
// row that names the field, the file and the line; the other rows score.
func TestInvalidRowNamesLine(t *testing.T) {
	rows := ownRows(t)
	var buf bytes.Buffer
	for i, r := range rows[:3] {
		if i == 1 {
			r.Delete("ground_truth")
		}
		buf.Write(r.AppendJSON(nil))
		buf.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "rows.jsonl")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	var reg gym.Registry
	require.NoError(t, reg.Register(agentName, environment(scripted(t, rows))))
	c := gym.Collector{Registry: &reg}
	failed, scored := 0, 0
	for res, err := range c.Collect(context.Background(), gym.FromFile(path)) {
		require.NoError(t, err)
		if res.Err != nil {
			failed++
			f := rollout.AsFailure(res.Err)
			require.Equal(t, rollout.FailInvalidRow, f.Class)
			require.Contains(t, res.Err.Error(), "workplace: "+path+":2: row has no \"ground_truth\" field")
			continue
		}
		scored++
		require.Equal(t, 1.0, res.Reward)
	}
	require.Equal(t, 1, failed)
	require.Equal(t, 2, scored)
}

// gym collect runs the project's dataset with NeMo Gym's config, unchanged,
// against a fake OpenAI-compatible server serving the scripted policy.
func TestCollectCLI(t *testing.T) {
	rows := ownRows(t)
	srv := gymtest.NewServer(gymtest.Policy(scripted(t, rows)))
	defer srv.Close()
	cfg := reftest.Path(t, "resources_servers", "workplace_assistant", "configs", "workplace_assistant.yaml") + "," +
		reftest.Path(t, "responses_api_models", "openai_model", "configs", "openai_model.yaml")
	input := abs(t, filepath.Join("..", "..", "testdata", "workplace_assistant", "example.jsonl"))
	dir := t.TempDir()
	clitest.Run(t, dir, "collect", "--config", cfg, "--input", input, "--output", "out.jsonl",
		"--num-repeats", "2", "+policy_base_url="+srv.URL, "+policy_api_key=k", "+policy_model_name=m")
	f, err := os.Open(filepath.Join(dir, "out.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	n := 0
	for res, err := range rollout.ReadResults(f, "out.jsonl") {
		require.NoError(t, err)
		require.Equal(t, 1.0, res.Reward, lastUser(t, res.Task))
		n++
	}
	require.Equal(t, 2*len(rows), n)
}

// The ground truth of every row of NeMo Gym's example dataset runs without
// an error on the workplace, and scores 1.0 as a prediction of itself and
// 0.0 for an episode that changes nothing.
func TestReferenceGroundTruth(t *testing.T) {
	path := reftest.Path(t, "resources_servers", "workplace_assistant", "data", "example.jsonl")
	srv, _, err := workplace.New(workplace.Config{})
	require.NoError(t, err)
	n := 0
	for row, err := range rollout.ReadTasksFile(path) {
		require.NoError(t, err)
		acts, err := workplace.TaskActions(row)
		require.NoError(t, err)
		require.NotEmpty(t, acts)
		sess, err := srv.Seed(context.Background(), row)
		require.NoError(t, err)
		var calls []rollout.Item
		for i, a := range acts {
			out, err := sess.CallTool(context.Background(), a.Name, json.RawMessage(a.Arguments))
			require.NoError(t, err)
			require.Regexp(t, `^\{"output":"[A-Z][a-z]+ (replied|updated|deleted) successfully\."\}$`, out, a.Name+" "+a.Arguments)
			calls = append(calls, rollout.NewFunctionCall(fmt.Sprintf("c%d", i), a.Name, a.Arguments))
		}
		sess.Close()
		v, err := verify(t, string(row.AppendJSON(nil)), calls...)
		require.NoError(t, err)
		require.Equal(t, 1.0, v.Reward)
		v, err = verify(t, string(row.AppendJSON(nil)))
		require.NoError(t, err)
		require.Equal(t, 0.0, v.Reward)
		n++
	}
	require.Equal(t, 5, n)
}

// Over HTTP, an unknown tool gets NeMo Gym's answer (200, its error text),
// not the handler's 404.
func TestUnknownToolOverHTTP(t *testing.T) {
	srv, v, err := workplace.New(workplace.Config{})
	require.NoError(t, err)
	h := env.NewHandler(srv, v)
	defer h.Close()
	ts := httptest.NewServer(h)
	defer ts.Close()
	sess, err := env.NewRemote(ts.URL).Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	defer sess.Close()
	out, err := sess.CallTool(context.Background(), "email_archive_email", json.RawMessage(`{"email_id": "1"}`))
	require.NoError(t, err)
	require.Equal(t, `{"output":"Error executing tool 'email_archive_email': 'email_archive_email'"}`, out)
}
