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

func TestSimilar(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cands []string
		want  string
		ok    bool
	}{
		{"rnu", []string{"run", "aggregate"}, "run", true},
		{"train_prep", []string{"train_preparation", "example_validation"}, "train_preparation", true},
		{"example_singl", []string{"example_multi_step", "example_single_tool_call"}, "example_single_tool_call", true},
		{"zzz", []string{"run", "aggregate"}, "", false},
	} {
		got, ok := Similar(tc.name, tc.cands)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("Similar(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
