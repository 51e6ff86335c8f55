package schema

import (
	"strings"
	"testing"
)

// pformat against Python's pprint.pformat(v, width=72, sort_dicts=False).
func TestPformat(t *testing.T) {
	doc := `{"description": "A long description that will certainly need to be wrapped by pprint because it is long and longer", "list": [{"a": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "b": [1, 2.5, null, true]}, "short", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"], "n": {"deep": {"deeper": {"k": "some text here some text here some text here some text here some text here "}}}}`
	v, order, err := parseJSON(doc, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "{'description': 'A long description that will certainly need to be '\n                'wrapped by pprint because it is long and longer',\n 'list': [{'a': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',\n           'b': [1, 2.5, None, True]},\n          'short',\n          'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'],\n 'n': {'deep': {'deeper': {'k': 'some text here some text here some '\n                                'text here some text here some text '\n                                'here '}}}}"
	if got := order.pformat(v); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	want = "('word word word word word word word word word word word word word '\n 'word word word word word word word word word word word word word '\n 'word word word word ')"
	if got := ordering(nil).pformat(strings.Repeat("word ", 30)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// NeMo Gym's error_message for two validation errors (from its Python).
func TestVerboseMessages(t *testing.T) {
	schemaStr := `{"type": "object", "description": "A long description that will certainly need to be wrapped by pprint because it is long", "properties": {"tags": {"type": "array", "items": {"type": "string", "enum": ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota"]}}, "n": {"type": "integer"}}}`
	c := &Checker{}
	for doc, want := range map[string]string{
		`{"tags": ["alpha"], "n": 1, "x": 2}`:  "ValidationError: Additional properties are not allowed ('x' was unexpected)\n\nFailed validating 'additionalProperties' in schema:\n    {'type': 'object',\n     'description': 'A long description that will certainly need ",
		`{"tags": ["alpha", "omega"], "n": 1}`: "ValidationError: 'omega' is not one of ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota']\n\nFailed validating 'enum' in schema['properties']['tags']['items']:\n    {'type': 'string',\n     'en",
	} {
		res, err := c.Text(JSON, schemaStr, doc)
		if err != nil {
			t.Fatal(err)
		}
		if res.ErrorMessage != want {
			t.Errorf("%s:\ngot  %q\nwant %q", doc, res.ErrorMessage, want)
		}
	}
}
