package config

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Masked replaces the value of a secret in a redacted config, as NeMo Gym
// masks it.
const Masked = "****"

// secretParts are the words that make a key a credential wherever they
// appear in it (case, "_" and "-" ignored); a key ending in "token" or
// "key" is one too, as NeMo Gym's redaction has it.
var secretParts = []string{"apikey", "password", "passwd", "secret", "credential", "authorization", "cookie"}

// IsSecret reports whether a config key holds a credential: it names an
// API key, a password, a secret, a credential or an authorization header
// (policy_api_key, openai_api_key, apiKey, aws_secret_access_key,
// password_hash), or ends in "token" or "key" (hf_token, auth_token,
// private_key). Case, "_" and "-" are ignored, so that
// max_output_tokens and tokenizer are not secrets.
func IsSecret(key string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	if slices.ContainsFunc(secretParts, func(p string) bool { return strings.Contains(n, p) }) {
		return true
	}
	return strings.HasSuffix(n, "token") || strings.HasSuffix(n, "key")
}

// RedactedYAML is YAML with every credential masked: the value of each key
// IsSecret reports (a list of values becomes a list of masks, a mapping
// keeps its keys with their values masked), and the password of every URL
// with one. It is the config to show or serve; a secret is never in it.
func (c *Config) RedactedYAML() ([]byte, error) {
	v, _ := c.resolver(true).tree(nil, c.rootObject())
	n := toNode(v, false)
	redactNode(n, false)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("config: encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: encode YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// Secrets returns the values of the config's credentials (every scalar
// under a key IsSecret reports, and URL passwords), longest first, so that
// a program can scrub them from what it prints. Values too short to be a
// credential, and NeMo Gym's placeholder EMPTY, are left out.
func (c *Config) Secrets() []string {
	v, _ := c.resolver(true).tree(nil, c.rootObject())
	var out []string
	collectSecrets(toNode(v, false), false, &out)
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// redactNode masks the secrets under n; secret says n is the value of a
// secret key.
func redactNode(n *yaml.Node, secret bool) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			redactNode(c, secret)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			redactNode(n.Content[i+1], secret || IsSecret(n.Content[i].Value))
		}
	case yaml.ScalarNode:
		if secret {
			if n.Tag != "!!null" {
				*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: Masked}
			}
			return
		}
		if r, ok := redactURL(n.Value); ok {
			n.Value = r
		}
	case yaml.AliasNode:
		if n.Alias != nil {
			redactNode(n.Alias, secret)
		}
	}
}

func collectSecrets(n *yaml.Node, secret bool, out *[]string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			collectSecrets(c, secret, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			collectSecrets(n.Content[i+1], secret || IsSecret(n.Content[i].Value), out)
		}
	case yaml.ScalarNode:
		v := n.Value
		if !secret {
			v = urlPassword(v)
		}
		if len(v) >= 4 && v != "EMPTY" && v != Masked && n.Tag != "!!null" {
			*out = append(*out, v)
		}
	}
}

// redactURL masks the password of s if s is a URL with one.
func redactURL(s string) (string, bool) {
	if urlPassword(s) == "" {
		return "", false
	}
	u, _ := url.Parse(s)
	return u.Redacted(), true
}

func urlPassword(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}
