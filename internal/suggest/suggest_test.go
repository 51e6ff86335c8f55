package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"example_multi_step_simple_agent", "example_single_tool_call_simple_agent", "policy_model"}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"example_multi_step_simple_agnt", "example_multi_step_simple_agent", true},
		{"policy_modle", "policy_model", true},
		{"polcy_model", "policy_model", true},
		{"x", "", false},
		{"completely_unrelated_name", "", false},
	} {
		got, ok := Closest(tt.in, names)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Closest(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d, want 3", d)
	}
}
