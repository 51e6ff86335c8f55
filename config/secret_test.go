package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/gymkit/gym/config"
)

// The keys NeMo Gym's redaction masks (its test of the anyterminal agent's
// config, and recursively_hide_secrets' "key"), and those it keeps.
func TestIsSecret(t *testing.T) {
	for _, k := range []string{"my_secret", "auth_token", "hf_token", "password", "anthropic_api_key", "apiKey",
		"aws_secret_access_key", "password_hash", "api_key_id", "key", "policy_api_key", "openai_api_key",
		"OPENAI_API_KEY", "private_key", "Authorization", "wandb_api_key", "mlflow_tracking_token", "db-passwd"} {
		require.True(t, config.IsSecret(k), k)
	}
	for _, k := range []string{"max_output_tokens", "tokenizer", "model", "not", "policy_base_url", "openai_model",
		"keys_to_keep", "num_repeats", "return_token_id_information"} {
		require.False(t, config.IsSecret(k), k)
	}
}

func loadText(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	return cfg
}

func TestRedactedYAML(t *testing.T) {
	cfg := loadText(t, `
policy_api_key: sk-live-1234567890
policy_base_url: http://trainer:hunter2-pass@gpu-0:8000/v1
dict: {key: key, not: not}
list:
- {key: key, not: not}
hf_token: [tok-one, tok-two]
policy_model:
  responses_api_models:
    openai_model:
      openai_base_url: ${policy_base_url}
      openai_api_key: ${policy_api_key}
      openai_default_headers: {Authorization: Bearer sk-header-secret}
      max_output_tokens: 12288
      empty_key: null
`)
	out, err := cfg.RedactedYAML()
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, yaml.Unmarshal(out, &got))
	delete(got, "config_paths")
	require.Equal(t, map[string]any{
		"policy_api_key":  "****",
		"policy_base_url": "http://trainer:xxxxx@gpu-0:8000/v1",
		"dict":            map[string]any{"key": "****", "not": "not"},
		"list":            []any{map[string]any{"key": "****", "not": "not"}},
		"hf_token":        []any{"****", "****"},
		"policy_model": map[string]any{"responses_api_models": map[string]any{"openai_model": map[string]any{
			"openai_base_url":        "http://trainer:xxxxx@gpu-0:8000/v1",
			"openai_api_key":         "****",
			"openai_default_headers": map[string]any{"Authorization": "****"},
			"max_output_tokens":      12288,
			"empty_key":              nil,
		}}},
	}, got)
	for _, s := range []string{"sk-live", "hunter2", "sk-header", "tok-one"} {
		require.NotContains(t, string(out), s)
	}
	// The unredacted config still holds the values.
	key, err := cfg.String("policy_model.responses_api_models.openai_model.openai_api_key")
	require.NoError(t, err)
	require.Equal(t, "sk-live-1234567890", key)

	require.Equal(t, []string{"Bearer sk-header-secret", "sk-live-1234567890", "hunter2-pass", "tok-one", "tok-two"}, cfg.Secrets())
}

// Whatever the config, its redacted YAML is YAML again and holds nothing
// but masks (or nulls) under a secret key.
func FuzzRedactedYAML(f *testing.F) {
	for _, s := range []string{
		"policy_api_key: sk-1\n", "a: {api_key: [x, {b: y}], n: 1}\n", "hf_token: ${a}\na: v\n",
		"u: http://a:b@h/x\n", "l: [{password: p}, 2]\n", "k: &x {token: t}\nj: *x\n", "? [a]\n: b\n",
		"max_output_tokens: 5\nkey: null\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "fuzz.yaml")
	f.Fuzz(func(t *testing.T, data string) {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Loader{Paths: []string{path}, WorkDir: dir, Env: func(string) (string, bool) { return "", false }}.Load()
		if err != nil {
			return
		}
		if _, err := cfg.YAML(); err != nil {
			return
		}
		out, err := cfg.RedactedYAML()
		if err != nil {
			t.Fatalf("RedactedYAML: %v", err)
		}
		var tree any
		if err := yaml.Unmarshal(out, &tree); err != nil {
			t.Fatalf("redacted YAML does not parse: %v\n%s", err, out)
		}
		var check func(v any, secret bool)
		check = func(v any, secret bool) {
			switch v := v.(type) {
			case map[string]any:
				for k, e := range v {
					check(e, secret || config.IsSecret(k))
				}
			case []any:
				for _, e := range v {
					check(e, secret)
				}
			case nil:
			default:
				if secret && v != config.Masked {
					t.Fatalf("a secret survived: %v in\n%s", v, out)
				}
			}
		}
		check(tree, false)
	})
}
